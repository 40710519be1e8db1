"""How an editor names a field and a place in the data: its label (or its name made readable), and label
paths (labels and 1-based row numbers joined by `SEPARATOR`: "Plans, 2, Plan name" so joined), shared by the
admin and the API's reports."""

from __future__ import annotations

import re

SEPARATOR = " \u203a "  # a right-pointing angle quote, as in the admin's breadcrumbs


def humanize(name: str) -> str:
    """A label from a field name, for fields without one: `planName` -> "Plan name", `cta_url` -> "Cta url"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.replace("_", " ")).split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def field_label(field: dict) -> str:
    """What an editor reads for a field: its label, or its name made readable."""
    return field.get("label") or humanize(str(field.get("name") or ""))
