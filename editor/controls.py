"""What the typed widgets (`editor/widgets.py`) and the free-form list (`editor/freeform.py`) share.

The render context that carries errors and the disabled state down a form, the attributes every control
gets, the error list shown beside a control, and reading posted controls back (one text value, the row
tokens of a list). Both editors build on these; neither knows the other's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

#: "no value here": a control left empty, a field absent from the post (falsy, unlike None, a JSON value)
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()


@dataclass
class RenderContext:
    """Carried down one form's rendering: the errors by API path (each marked shown once placed), read-only."""

    errors: dict[str, str] = dc_field(default_factory=dict)
    disabled: bool = False
    shown: set[str] = dc_field(default_factory=set)
    depth: int = 0  # array nesting, for the row-token placeholder of each level's <template>

    def error_at(self, path: str) -> str | None:
        if path in self.errors:
            self.shown.add(path)
            return self.errors[path]
        return None


def control_attrs(ctx: RenderContext, **extra) -> SafeString:
    """` key="value"` for each given attribute (underscores become dashes), and ` disabled` when the form is."""
    parts = [format_html(' {}="{}"', key.replace("_", "-"), value) for key, value in extra.items() if value is not None]
    if ctx.disabled:
        parts.append(mark_safe(" disabled"))
    return mark_safe("".join(parts))


def error_html(error: str | None) -> SafeString:
    """The error list shown beside a control, or nothing."""
    if not error:
        return mark_safe("")
    return format_html('<ul class="errorlist cms-field-error"><li>{}</li></ul>', error)


def posted_text(post, name: str) -> str | None:
    """The one text value posted as `name`, or None (absent, or a file)."""
    value = post.get(name)
    return value if isinstance(value, str) else None


def row_tokens(post, prefix: str) -> list[str]:
    """Row tokens under `prefix`, in the order of the page (the post keeps it); a dict keeps them unique in
    linear time (a list of 1,000 rows posts several thousand controls)."""
    tokens: dict[str, None] = {}
    for key in post:
        if key.startswith(prefix):
            token = key[len(prefix) :].split(".", 1)[0]
            if not token.startswith("__"):
                tokens[token] = None
    return list(tokens)
