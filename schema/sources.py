"""The data-source registry: the names a `dataSource` field may give as its `source`, and their callables.

A source is a callable `(site, locale, params) -> JSON value`. The schema engine needs only the names (to
check a schema, `schema.types.datasource_type`); the resolver that fills the fields when a block is read
(`blocks.datasources`) calls them. The registry sits here, in the lower layer, so both can reach it and
neither reaches up.

Who registers: the blocks app registers the built-in `blocks` and `block` sources when it starts
(`BlocksConfig.ready()`); a project adds its own the same way, from its own app's `ready()`:

    from schema.sources import register_source
    register_source("weather", weather_for)        # weather_for(site, locale, params) -> JSON value

Tests register one for a test and drop it after (the `data_source` fixture in `tests/conftest.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Source = Callable[[Any, str, dict], Any]

_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Make `source` the data source called `name`. Registering the same callable again changes nothing."""
    assert isinstance(name, str) and name, "a data source needs a name"
    assert callable(source), f"data source {name!r}: {source!r} is not callable"
    registered = _SOURCES.setdefault(name, source)
    assert registered is source, f"data source {name!r} is already registered as {registered!r}"


def unregister_source(name: str) -> None:
    """Remove the data source called `name` (tests; nothing else should need to)."""
    _SOURCES.pop(name, None)


def get_source(name: str) -> Source | None:
    """The callable registered as `name`, or None when there is no such source."""
    return _SOURCES.get(name)


def source_names() -> list[str]:
    """Every registered source name, sorted (for messages)."""
    return sorted(_SOURCES)
