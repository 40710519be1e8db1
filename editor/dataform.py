"""The whole generated data form of a block: every field of its schema rendered with its errors (the widgets
are in `editor.widgets`), the errors no field showed, where each shown error sits (for the error summary,
`editor.problems`), and the posted controls read back into the patch a save sends.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from blocks.translation_units import synced_data
from cms.jsonsame import same_json
from editor.controls import MISSING, RenderContext
from editor.translation_notes import CopyNotes
from editor.widgets import PREFIX, render_field, widget_for


def render_data_form(
    schema: list[dict], data: dict, *, errors: dict[str, str] | None = None, disabled: bool = False
) -> tuple[SafeString, dict[str, str]]:
    """The whole data form, and the errors no field showed (to list at the top)."""
    html, leftovers, _ = render_data_form_placed(schema, data, errors=errors, disabled=disabled)
    return html, leftovers


def render_data_form_placed(
    schema: list[dict],
    data: dict,
    *,
    errors: dict[str, str] | None = None,
    disabled: bool = False,
    notes: CopyNotes | None = None,
    locale: str = "",
) -> tuple[SafeString, dict[str, str], list[tuple[str, str]]]:
    """`render_data_form`, and the `(path, anchor id)` of each error placed beside a field, in page order
    (the error summary's links). `notes`: a locale copy's translation notes (`editor.translation_notes`)."""
    ctx = RenderContext(errors=dict(errors or {}), disabled=disabled, notes=notes)
    data = data if isinstance(data, dict) else {}
    html = "".join(
        render_field(field, data.get(field["name"], MISSING), f"{PREFIX}.{field['name']}", (field["name"],), ctx)
        for field in schema
    )
    leftovers = {path: message for path, message in ctx.errors.items() if path not in ctx.shown}
    placed = [(path, _nearest_anchor(ctx.anchors, path)) for path in ctx.order]
    summary = notes.summary(locale) if notes is not None else ""
    return mark_safe(f'<div class="cms-data-form">{summary}{html}</div>'), leftovers, placed


def _nearest_anchor(anchors: dict[str, str], path: str) -> str:
    """The anchor of `path`'s field, or of the nearest field around it (a free-form list's inner value)."""
    while path:
        if path in anchors:
            return anchors[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return "cms-content"


def parse_data_form(
    schema: list[dict], post, current: dict, *, locked: Collection[str] = (), copy: bool = False
) -> tuple[dict, dict]:
    """`(patch, merged)`: the write to send (top-level keys, `None` to remove) and the data it leads to.

    Fields whose controls were not on the page are left alone; unchanged values are not sent. Orphaned keys
    (no longer in the schema) are never touched from the form, nor are the `locked` fields (a locale copy's
    shared fields, shown read-only: some widgets post a marker even when disabled).
    """
    current = current if isinstance(current, dict) else {}
    patch: dict[str, Any] = {}
    merged = dict(current)
    for field in schema:
        key = field["name"]
        if field["type"] == "dataSource" or key in locked:
            continue
        name = f"{PREFIX}.{key}"
        form_widget = widget_for(field["type"])
        if not form_widget.present(post, name):
            continue
        value = form_widget.parse(field, post, name)
        if copy and value is not MISSING and key in current:
            value = synced_data([field], {key: current[key]}, {key: value}).get(key, MISSING)
        if value is MISSING:
            if key in current:
                patch[key] = None
                merged.pop(key)
        elif not same_json(current.get(key, MISSING), value):
            patch[key] = value
            merged[key] = value
    return patch, merged


def preview_html(value: Any) -> SafeString:
    """Data shown read-only as pretty JSON (the viewer's and the preview page's fallback)."""
    return format_html('<pre class="cms-json-view">{}</pre>', escape(json.dumps(value, indent=2, ensure_ascii=False)))
