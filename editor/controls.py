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

from schema.labels import field_label

#: "no value here": a control left empty, a field absent from the post (falsy, unlike None, a JSON value)
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()


@dataclass
class RenderContext:
    """Carried down one form's rendering: the errors by API path (each marked shown once placed), read-only."""

    errors: dict[str, str] = dc_field(default_factory=dict)
    disabled: bool = False
    shown: set[str] = dc_field(default_factory=set)
    depth: int = 0  # array nesting, for the row-token placeholder of each level's <template>
    #: the errors placed, in page order (the error summary lists them so)
    order: list[str] = dc_field(default_factory=list)
    #: the element each rendered field's error links to (its control, or its group), by API path
    anchors: dict[str, str] = dc_field(default_factory=dict)
    #: attributes for the next control rendered (its id, aria-invalid, aria-describedby): set by the field
    #: around it, taken by the first `control_attrs` call, so widgets need not know about labels or errors
    pending: dict[str, str | None] | None = None
    #: a locale copy's translation notes (`editor.translation_notes.CopyNotes`): state words, shared fields locked
    notes: Any = None
    #: inside a locale copy's list whose rows follow the source: no move / remove buttons on its rows
    tools_off: bool = False

    def error_at(self, path: str) -> str | None:
        if path in self.errors:
            if path not in self.shown:
                self.order.append(path)
            self.shown.add(path)
            return self.errors[path]
        return None


def control_id(name: str) -> str:
    """The id of the control posted as `name` (`d.plans.i0.title` -> `cms-d-plans-i0-title`): a label's `for`
    and a summary link's target. Row tokens are part of it, so rows added in the browser get ids of their own."""
    return "cms-" + name.replace(".", "-")


def item_noun(field: dict) -> str:
    """One row of an array field, in words ("plan" for "Plans"), for row names and buttons ("Move plan 2 up")."""
    items = field.get("items") or {}
    if items.get("label"):
        return str(items["label"]).lower()
    label = field_label(field).lower()
    if label.endswith("ies"):
        return label[:-3] + "y"
    if label.endswith("s") and not label.endswith("ss"):
        return label[:-1]
    return label or "item"


def control_attrs(ctx: RenderContext, **extra) -> SafeString:
    """` key="value"` for each given attribute (underscores become dashes), and ` disabled` when the form is.
    The first control after a field's label also takes the field's pending id and ARIA attributes."""
    if ctx.pending:
        extra = {**ctx.pending, **extra}
        ctx.pending = None
    parts = [format_html(' {}="{}"', key.replace("_", "-"), value) for key, value in extra.items() if value is not None]
    if ctx.disabled:
        parts.append(mark_safe(" disabled"))
    return mark_safe("".join(parts))


def error_html(error: str | None, error_id: str | None = None) -> SafeString:
    """The error list shown beside a control (with the id its control's `aria-describedby` names), or nothing."""
    if not error:
        return mark_safe("")
    if error_id:
        return format_html('<ul class="errorlist cms-field-error" id="{}"><li>{}</li></ul>', error_id, error)
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
