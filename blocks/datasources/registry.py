"""The registry of data sources: names in `settings.CMS_DATA_SOURCES` mapped to dotted callables.

Imported lazily and memoised per dotted path, so a source module is loaded on first use and a typo in the
setting fails loudly (at first read) instead of silently answering `null` forever.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def source_names() -> list[str]:
    return sorted(getattr(settings, "CMS_DATA_SOURCES", {}) or {})


@cache
def _load(dotted: str) -> Callable[..., Any]:
    return import_string(dotted)


def get_source(name: str) -> Callable[..., Any] | None:
    """The callable registered as `name`, or None when no such source is configured."""
    dotted = (getattr(settings, "CMS_DATA_SOURCES", {}) or {}).get(name)
    if not dotted:
        return None
    return _load(dotted) if isinstance(dotted, str) else dotted
