"""The editor of a free-form list: an `array` field without `items` (docs/fields.md "array"; the reference's
`navLinks`).

Any JSON is valid there, so the editor cannot lean on a field definition. Each row says what it holds with a
kind selector: text, number, yes/no, empty (null), or an object edited as key/value pairs whose values are
text, number, yes/no or empty. Anything deeper (a list, an object inside an object) is shown as JSON in a
small box for that one value only, so the common content (labels, URLs, flags, counts) needs no JSON typing.

Controls, for a field `d.links` (rows and pairs carry tokens like the typed arrays' rows, editor.js moves them):
  d.links.__empty     "1" when the stored value is `[]`: no rows then means `[]`, not "remove the field"
  d.links.r1.kind     text | number | bool | null | object | json
  d.links.r1.v        text or number, as typed          d.links.r1.b     "true" | "false"
  d.links.r1.json     the JSON box                       d.links.r1.o.p1.k / .kind / .v / .b / .json: a pair

Exactness: a value renders into controls that parse back to the very same JSON (a number keeps its spelling,
`"5"` stays a string, `1.0` a float), so an untouched save changes nothing. The validator accepts any JSON
here, so wrong input is caught by the parser itself: a non-number in a number row, an empty or repeated key,
JSON that does not parse. Such input comes back as a `FreeDraft` that keeps what was typed; the form reports
its errors at the validator's paths (`data.links[1]`, `data.links[1].url`) without saving anything, and the
draft renders again with each message beside its control.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from editor.controls import MISSING, RenderContext, control_attrs, error_html, posted_text, row_tokens
from schema.paths import format_path

KINDS = (
    ("text", "Text"),
    ("number", "Number"),
    ("bool", "Yes / no"),
    ("null", "Empty (null)"),
    ("object", "Key / value pairs"),
    ("json", "List or other (JSON)"),
)
PAIR_KINDS = tuple(kind for kind in KINDS if kind[0] != "object")
NUMBER_MESSAGE = "Must be a number, like 12, -3.5 or 1e6."
KEY_REQUIRED = "A key is required."
DUPLICATE_KEY = "This key is used twice in the same object."

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_SCALARS = (str, int, float, bool, type(None))


@dataclass
class Entry:
    """One value as the controls show it: its kind and the raw text typed (or the yes/no flag)."""

    kind: str
    text: str = ""
    flag: bool = True
    pairs: list[Pair] = field(default_factory=list)
    error: str | None = None


@dataclass
class Pair:
    key: str
    value: Entry
    key_error: str | None = None


@dataclass
class FreeDraft:
    """What the editor typed when it does not parse: rendered again as typed, never saved."""

    entries: list[Entry]

    def errors(self, path: tuple) -> dict[str, str]:
        """`{path: message}` at the validator's paths (`data.links[1].url`); two messages at one place join."""
        out: dict[str, str] = {}

        def add(parts: tuple, message: str | None) -> None:
            if message:
                where = format_path("data", parts)
                out[where] = f"{out[where]} {message}" if where in out else message

        for index, entry in enumerate(self.entries):
            add((*path, index), entry.error)
            for pair in entry.pairs:
                at = (*path, index, pair.key) if pair.key.strip() else (*path, index)
                add(at, pair.key_error)
                add(at, pair.value.error)
        return out


def draft_errors(value: Any, path: tuple = ()) -> dict[str, str]:
    """Every free-form draft's errors found anywhere in parsed form data (drafts may sit in typed arrays)."""
    if isinstance(value, FreeDraft):
        return value.errors(path)
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            out.update(draft_errors(sub, (*path, key)))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            out.update(draft_errors(sub, (*path, index)))
    return out


# -- value -> controls ---------------------------------------------------------------------------------------
def entry_for(value: Any, *, nested: bool = False) -> Entry:
    """The controls showing `value`; anything they cannot show exactly goes to the JSON box."""
    if isinstance(value, bool):
        return Entry("bool", flag=value)
    if isinstance(value, int | float):
        return Entry("number", text=json.dumps(value))
    if value is None:
        return Entry("null")
    if isinstance(value, str) and "\r" not in value:  # a text control would turn a lone \r into \n
        return Entry("text", text=value)
    if isinstance(value, dict) and not nested and all(isinstance(k, str) and k.strip() for k in value):
        return Entry("object", pairs=[Pair(key, entry_for(sub, nested=True)) for key, sub in value.items()])
    return Entry("json", text=json.dumps(value, ensure_ascii=False))


# -- controls -> value ---------------------------------------------------------------------------------------
def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def parse_number(text: str) -> int | float | None:
    """A JSON number, spelled as typed (`1.0` stays a float); `+5` and `.5` are forgiven. None if not one."""
    text = text.strip()
    text = text[1:] if text.startswith("+") else text
    text = re.sub(r"^(-?)\.", r"\g<1>0.", text)
    if not _NUMBER.match(text):
        return None
    try:
        return json.loads(text, parse_float=_finite_float)
    except ValueError:  # out of range, or more digits than Python converts
        return None


def parse_json(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant), None
    except json.JSONDecodeError as exc:
        return MISSING, f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
    except ValueError as exc:
        return MISSING, f"Not valid JSON: {exc}."
    except RecursionError:  # the standard parser recurses: a hostile depth is a field error, not a 500
        return MISSING, "Not valid JSON: nested too deep."


def _read_entry(post, name: str, kinds: tuple) -> tuple[Entry, Any]:
    """The controls of one row (or pair value) at `name`: what was typed, and the value (MISSING if wrong)."""
    kind = posted_text(post, f"{name}.kind")
    kind = kind if kind in dict(kinds) else "text"
    if kind in ("text", "number"):
        text = (posted_text(post, f"{name}.v") or "").replace("\r\n", "\n")
        if kind == "text":
            return Entry("text", text=text), text
        number = parse_number(text)
        return Entry("number", text=text, error=None if number is not None else NUMBER_MESSAGE), (
            MISSING if number is None else number
        )
    if kind == "bool":
        flag = posted_text(post, f"{name}.b") != "false"
        return Entry("bool", flag=flag), flag
    if kind == "null":
        return Entry("null"), None
    if kind == "json":
        text = (posted_text(post, f"{name}.json") or "").replace("\r\n", "\n")
        value, error = parse_json(text)
        return Entry("json", text=text, error=error), value
    entry = Entry("object")
    out: dict[str, Any] = {}
    for token in row_tokens(post, f"{name}.o."):
        pair_name = f"{name}.o.{token}"
        key = (posted_text(post, f"{pair_name}.k") or "").replace("\r\n", "\n")
        value_entry, value = _read_entry(post, pair_name, PAIR_KINDS)
        pair = Pair(key, value_entry)
        if not key.strip():
            pair.key_error = KEY_REQUIRED
        elif key in out:
            pair.key_error = DUPLICATE_KEY
        else:
            out[key] = value
        entry.pairs.append(pair)
    wrong = any(pair.key_error or pair.value.error for pair in entry.pairs)
    return entry, MISSING if wrong else out


def parse_free_list(post, name: str) -> Any:
    """The posted rows as a list, MISSING when there are none (the field is removed), or a FreeDraft."""
    entries: list[Entry] = []
    values: list[Any] = []
    for token in row_tokens(post, name + "."):
        entry, value = _read_entry(post, f"{name}.{token}", KINDS)
        entries.append(entry)
        values.append(value)
    if any(value is MISSING for value in values):
        return FreeDraft(entries)
    if not values:
        return [] if posted_text(post, f"{name}.__empty") == "1" else MISSING
    return values


# -- rendering -----------------------------------------------------------------------------------------------
_TOOLS = mark_safe(
    '<span class="cms-row-tools"><button type="button" class="cms-up" title="Move up">↑</button>'
    '<button type="button" class="cms-down" title="Move down">↓</button>'
    '<button type="button" class="cms-remove" title="Remove">✕</button></span>'
)
HELP = (
    "A free-form list: pick what each item is (text, a number, yes / no, empty, or key / value pairs). "
    "Lists, and objects inside objects, are edited as JSON in a small box, for that one value only. "
    "An item left as empty text is saved as an empty string: remove the items you do not want."
)


def _kind_select(name: str, kinds: tuple, chosen: str, ctx: RenderContext) -> SafeString:
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((k, mark_safe(" selected") if k == chosen else "", t) for k, t in kinds),
    )
    return format_html(
        '<select name="{}.kind" class="cms-input cms-free-kind" title="What this value is"{}>{}</select>',
        name,
        control_attrs(ctx),
        options,
    )


def _box(kinds: str, entry: Entry, inner: SafeString) -> SafeString:
    hidden = "" if entry.kind in kinds.split() else mark_safe(" hidden")
    return format_html('<span class="cms-free-val" data-kinds="{}"{}>{}</span>', kinds, hidden, inner)


def _value_controls(entry: Entry, name: str, ctx: RenderContext) -> SafeString:
    """Every kind's control, those of other kinds hidden (editor.js shows the chosen one)."""
    text = entry.text if entry.kind in ("text", "number") else ""
    if "\n" in text:  # an <input> would drop the line breaks (the \n after <textarea> guards a leading one)
        simple = format_html(
            '<textarea name="{}.v" rows="3" class="cms-input cms-free-v"{}>\n{}</textarea>',
            name,
            control_attrs(ctx),
            text,
        )
    else:
        simple = format_html(
            '<input type="text" name="{}.v" value="{}" class="cms-input cms-free-v"{}>', name, text, control_attrs(ctx)
        )
    yes_no = format_html(
        '<select name="{}.b" class="cms-input"{}><option value="true"{}>Yes</option><option value="false"{}>No'
        "</option></select>",
        name,
        control_attrs(ctx),
        mark_safe(" selected") if entry.kind != "bool" or entry.flag else "",
        mark_safe(" selected") if entry.kind == "bool" and not entry.flag else "",
    )
    source = format_html(
        '<textarea name="{}.json" rows="2" class="cms-input cms-json" spellcheck="false"{}>\n{}</textarea>',
        name,
        control_attrs(ctx),
        entry.text if entry.kind == "json" else "",
    )
    return mark_safe(
        _box("text number", entry, simple)
        + _box("bool", entry, yes_no)
        + _box("json", entry, source)
        + _box("null", entry, mark_safe('<span class="cms-hint">null</span>'))
    )


def _rows(
    kind: str, name: str, rows: list[SafeString], template: SafeString, placeholder: str, label: str, ctx
) -> SafeString:
    add = "" if ctx.disabled else format_html('<button type="button" class="button cms-add-row">{}</button>', label)
    return format_html(
        '<div class="cms-array cms-free-{}" data-name="{}" data-placeholder="{}"><div class="cms-rows">{}</div>'
        "<template>{}</template>{}</div>",
        kind,
        name,
        placeholder,
        mark_safe("".join(rows)),
        template,
        add,
    )


def _error(entry_error: str | None, where: tuple, ctx: RenderContext, from_draft: bool) -> SafeString:
    """A draft carries its own messages (marked shown); a stored value shows what the form reported there."""
    found = ctx.error_at(format_path("data", where))
    return error_html(entry_error if from_draft else found)


def _pair_row(pair: Pair, name: str, where: tuple, ctx: RenderContext, from_draft: bool) -> SafeString:
    return format_html(
        '<div class="cms-row cms-free-pair" data-path="{}"><input type="text" name="{}.k" value="{}"'
        ' class="cms-input cms-free-key" placeholder="key" aria-label="Key"{}>{}{}{}{}{}</div>',
        format_path("data", where),
        name,
        pair.key,
        control_attrs(ctx),
        error_html(pair.key_error),
        _kind_select(name, PAIR_KINDS, pair.value.kind, ctx),
        _value_controls(pair.value, name, ctx),
        _error(pair.value.error, where, ctx, from_draft),
        "" if ctx.disabled else _TOOLS,
    )


def _row(entry: Entry, name: str, where: tuple, ctx: RenderContext, from_draft: bool) -> SafeString:
    ctx.depth += 1
    placeholder = f"__R{ctx.depth}__"
    pairs = [
        _pair_row(pair, f"{name}.o.i{index}", (*where, pair.key) if pair.key.strip() else where, ctx, from_draft)
        for index, pair in enumerate(entry.pairs)
    ]
    blank = RenderContext(disabled=ctx.disabled, depth=ctx.depth)
    template = _pair_row(Pair("", Entry("text")), f"{name}.o.{placeholder}", where, blank, False)
    ctx.depth -= 1
    object_box = _box(
        "object", entry, _rows("pairs", f"{name}.o", pairs, template, placeholder, "Add key / value", ctx)
    )
    return format_html(
        '<div class="cms-row cms-free-row" data-path="{}">{}{}{}{}{}</div>',
        format_path("data", where),
        _kind_select(name, KINDS, entry.kind, ctx),
        _value_controls(entry, name, ctx),
        _error(entry.error, where, ctx, from_draft),
        object_box,
        "" if ctx.disabled else _TOOLS,
    )


def render_free_list(value: Any, name: str, path: tuple, ctx: RenderContext) -> SafeString:
    from_draft = isinstance(value, FreeDraft)
    if from_draft:
        entries = value.entries
    else:
        entries = [entry_for(item) for item in value] if isinstance(value, list) else []
    ctx.depth += 1
    placeholder = f"__R{ctx.depth}__"
    rows = [_row(entry, f"{name}.i{index}", (*path, index), ctx, from_draft) for index, entry in enumerate(entries)]
    blank = RenderContext(disabled=ctx.disabled, depth=ctx.depth)
    template = _row(Entry("text"), f"{name}.{placeholder}", (*path, 0), blank, False)
    ctx.depth -= 1
    empty = "1" if value == [] else ""
    return format_html(
        '<input type="hidden" name="{}.__empty" value="{}">{}<p class="help">{}</p>',
        name,
        empty,
        _rows("list", name, rows, template, placeholder, "Add item", ctx),
        HELP,
    )
