"""The generated data form: one widget per field type, rendered on the server from the block's schema.

Each widget knows two things: how to render a field's value as HTML controls (`render`) and how to read the
posted controls back into a JSON value (`parse`). Nothing is typed as JSON (a free-form list, an array
without `items`, is rows of a chosen kind, `freeform.py`; only values deeper than key/value pairs are JSON
boxes there). Inputs are named by the field's
place, `d.links.r1.url`; array rows carry a token instead of an index (`r1`), so the browser may add, remove
and reorder rows freely (editor.js) and the posted order is the rows' order in the page. Parsing keeps what
the editor typed even when it is wrong (`"abc"` in a number), so the one validator (`schema`)
reports it, and the form is rendered again from the parsed value with every error beside its field, keyed by
the same paths the API uses (`data.links[1].url`).

Adding a field type: one `Widget` subclass here, registered with `@widget`, and a test in
`tests/editor/test_admin_field_types.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from editor import richtext
from editor.controls import (
    MISSING,
    RenderContext,
    control_attrs,
    control_id,
    error_html,
    field_label,
    item_noun,
    posted_text,
    row_tokens,
)
from editor.freeform import parse_free_list, render_free_list
from schema.paths import format_path
from schema.sanitize import sanitize_html
from schema.types.datetime_type import parse_datetime

PREFIX = "d"
ROW_MARK = "__row"


_WIDGETS: dict[str, Widget] = {}


def widget(cls: type[Widget]) -> type[Widget]:
    _WIDGETS[cls.type_name] = cls()
    return cls


def widget_for(type_name: str) -> Widget:
    return _WIDGETS[type_name]


def widget_types() -> list[str]:
    return sorted(_WIDGETS)


class Widget:
    type_name = ""
    css = ""
    #: one control that a <label for> can name; otherwise the field is a group named by its label
    labelable = True

    def render(self, field: dict, value: Any, name: str, path: tuple, ctx: RenderContext) -> SafeString:
        raise NotImplementedError

    def parse(self, field: dict, post, name: str) -> Any:
        raise NotImplementedError

    def present(self, post, name: str) -> bool:
        """Whether the page held this field's controls (a field missing from the post is left unchanged)."""
        prefix = name + "."
        return name in post or any(key.startswith(prefix) for key in post)


class _TextInput(Widget):
    input_type = "text"

    def extra_attrs(self, field: dict) -> dict:
        return {}

    def render(self, field, value, name, path, ctx):
        text = value if isinstance(value, str) else ("" if value in (None, MISSING) else str(value))
        return format_html(
            '<input type="{}" name="{}" value="{}" class="vTextField cms-input"{}>',
            self.input_type,
            name,
            text,
            control_attrs(ctx, **self.extra_attrs(field)),
        )

    def parse(self, field, post, name):
        text = posted_text(post, name)
        return MISSING if text is None or text == "" else text


@widget
class StringWidget(_TextInput):
    type_name = "string"

    def extra_attrs(self, field):
        return {"maxlength": field.get("maxLength")}


@widget
class UrlWidget(_TextInput):
    type_name = "url"  # a text input: relative URLs such as /blog are valid, <input type=url> refuses them

    def extra_attrs(self, field):
        return {"inputmode": "url", "placeholder": "https://… or /path"}


@widget
class EmailWidget(_TextInput):
    type_name = "email"
    input_type = "email"


@widget
class DateWidget(_TextInput):
    type_name = "date"
    input_type = "date"

    def extra_attrs(self, field):
        return {"min": field.get("min"), "max": field.get("max")}


@widget
class ColorWidget(Widget):
    """A text input (accepts #RGB, #RRGGBB, #RRGGBBAA) with a colour picker beside it, kept in step by JS."""

    type_name = "color"

    def render(self, field, value, name, path, ctx):
        text = value if isinstance(value, str) else ""
        # An empty value shows an empty swatch (a checkerboard, editor.css), not the picker's default black.
        swatch = text[:7] if len(text) >= 7 else "#000000"
        text_attrs = control_attrs(ctx)  # first: the text input is the field's control (label, errors)
        return format_html(
            '<span class="cms-color{}"><input type="color" value="{}" class="cms-color-picker" tabindex="-1"'
            ' aria-label="Pick a colour"{}>'
            '<input type="text" name="{}" value="{}" class="cms-input cms-color-text" placeholder="#RRGGBB"'
            ' size="10"{}></span>',
            "" if text else " cms-color-empty",
            swatch,
            control_attrs(ctx),
            name,
            text,
            text_attrs,
        )

    def parse(self, field, post, name):
        text = (posted_text(post, name) or "").strip()
        return text or MISSING


@widget
class TextWidget(Widget):
    type_name = "text"

    def render(self, field, value, name, path, ctx):
        return format_html(
            '<textarea name="{}" rows="4" class="vLargeTextField cms-input"{}>{}</textarea>',
            name,
            control_attrs(ctx, maxlength=field.get("maxLength")),
            value if isinstance(value, str) else "",
        )

    def parse(self, field, post, name):
        text = posted_text(post, name)
        return MISSING if not text else text.replace("\r\n", "\n")


@widget
class RichTextWidget(Widget):
    """A textarea that django-prose-editor turns into a rich-text editor (editor/richtext.py): it writes clean
    semantic HTML into the textarea, which the form posts and the server sanitises on write like any API
    write. Without JavaScript the textarea itself is the editor.

    The value is sanitised again here, before the page holds it: the editor turns the textarea's text into
    live HTML, so a value stored before the sanitiser saw it (an old row) must not reach the page as it is.
    A locked field (a shared field in a locale copy, a read-only role) shows its HTML rendered, not a box."""

    type_name = "richtext"

    def render(self, field, value, name, path, ctx):
        html = sanitize_html(value) if isinstance(value, str) else ""
        if ctx.disabled:
            return format_html(
                '<div class="cms-richtext cms-richtext-locked"><div class="cms-richtext-readonly">{}</div>'
                '<textarea name="{}" hidden{}>{}</textarea></div>',
                mark_safe(html),  # sanitised just above
                name,
                control_attrs(ctx),
                html,
            )
        return format_html(
            '<div class="cms-richtext"><textarea name="{}" rows="6" class="cms-input cms-richtext-source"'
            ' {}="{}"{}>{}</textarea></div>',
            name,
            richtext.CONFIG_ATTRIBUTE,
            richtext.editor_config(),
            control_attrs(ctx),
            html,
        )

    def parse(self, field, post, name):
        html = (posted_text(post, name) or "").strip()
        return MISSING if html in ("", "<br>", "<p></p>", "<p><br></p>") else html


@widget
class NumberWidget(Widget):
    type_name = "number"

    def render(self, field, value, name, path, ctx):
        step = field.get("step") or (1 if field.get("integer") else "any")
        text = "" if value in (None, MISSING) or isinstance(value, bool) else value
        return format_html(
            '<input type="number" name="{}" value="{}" class="cms-input"{}>',
            name,
            text,
            control_attrs(ctx, step=step, min=field.get("min"), max=field.get("max")),
        )

    def parse(self, field, post, name):
        text = (posted_text(post, name) or "").strip()
        if not text:
            return MISSING
        try:
            number = float(text)
        except ValueError:
            return text  # the validator says "must be a number" next to the field
        if number.is_integer() and ("." not in text or field.get("integer")) and "e" not in text.lower():
            return int(number)
        return number


@widget
class BooleanWidget(Widget):
    """A checkbox; a hidden marker tells "unchecked" (false) from "not on the page"."""

    type_name = "boolean"

    def render(self, field, value, name, path, ctx):
        return format_html(
            '<input type="hidden" name="{}.__present" value="1"><input type="checkbox" name="{}" value="on"{}{}>',
            name,
            name,
            mark_safe(" checked") if value is True else "",
            control_attrs(ctx),
        )

    def parse(self, field, post, name):
        return post.get(name) == "on"


def _options(field: dict) -> list[tuple[Any, Any]]:
    """`(value, label)` of each option; values are the schema's own (strings or numbers)."""
    out = []
    for option in field.get("options") or ():
        if isinstance(option, dict):
            out.append((option.get("value"), option.get("label") or option.get("value")))
        else:
            out.append((option, option))
    return out


def _option_value(field: dict, text: str) -> Any:
    """Option values may be numbers or strings in the schema; give back the schema's own value."""
    for value, _ in _options(field):
        if str(value) == text:
            return value
    return text


@widget
class SelectWidget(Widget):
    type_name = "select"

    def render(self, field, value, name, path, ctx):
        choices = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if v == value else "", label) for v, label in _options(field)),
        )
        return format_html(
            '<select name="{}" class="cms-input"{}><option value="">—</option>{}</select>',
            name,
            control_attrs(ctx),
            choices,
        )

    def parse(self, field, post, name):
        text = posted_text(post, name)
        return MISSING if not text else _option_value(field, text)


@widget
class MultiSelectWidget(Widget):
    type_name = "multiselect"
    labelable = False

    def render(self, field, value, name, path, ctx):
        chosen = value if isinstance(value, list) else []
        boxes = format_html_join(
            "",
            '<label class="cms-choice"><input type="checkbox" name="{}" value="{}"{}{}> {}</label>',
            (
                (name, v, mark_safe(" checked") if v in chosen else "", control_attrs(ctx), label)
                for v, label in _options(field)
            ),
        )
        return format_html(
            '<input type="hidden" name="{}.__present" value="1"><div class="cms-choices">{}</div>', name, boxes
        )

    def parse(self, field, post, name):
        values = [_option_value(field, text) for text in post.getlist(name)]
        return values or MISSING


class _SubFieldsWidget(Widget):
    """image and file: a URL plus a few named sub-values, shown as small labelled inputs."""

    parts: tuple[tuple[str, str, str], ...] = ()  # (key, label, "text" | "int")
    labelable = False

    def render(self, field, value, name, path, ctx):
        current = value if isinstance(value, dict) else {}
        rows = []
        for key, label, kind in self.parts:
            sub = current.get(key)
            sub_path = format_path("data", (*path, key))
            sub_id = control_id(f"{name}.{key}")
            ctx.anchors[sub_path] = sub_id
            error = ctx.error_at(sub_path)
            invalid = {"aria_invalid": "true", "aria_describedby": f"{sub_id}-error"} if error else {}
            rows.append(
                format_html(
                    '<label class="cms-sub">{}<input type="{}" name="{}.{}" value="{}" class="cms-input"{}>{}</label>',
                    label,
                    "number" if kind == "int" else "text",
                    name,
                    key,
                    "" if sub is None else sub,
                    control_attrs(ctx, id=sub_id, min=0 if kind == "int" else None, **invalid),
                    error_html(error, f"{sub_id}-error"),
                )
            )
        return format_html('<div class="cms-subfields">{}</div>', mark_safe("".join(rows)))

    def parse(self, field, post, name):
        out: dict[str, Any] = {}
        for key, _, kind in self.parts:
            text = (posted_text(post, f"{name}.{key}") or "").strip()
            if not text:
                continue
            if kind == "int":
                try:
                    out[key] = int(text)
                except ValueError:
                    out[key] = text
            else:
                out[key] = text
        return out or MISSING


class _AssetWidget(_SubFieldsWidget):
    """image and file: the media library chooser (pick from the library or upload in place, a preview, the
    focal point picker for images, remove), the value's own alt text for images, and the `{"url", …}` form for
    files kept elsewhere, folded under "Or a URL". The chooser's behaviour is `editor/static/editor/media.js`,
    talking to the library's admin endpoints (`editor/media_library.py`); without JavaScript the asset's id
    stays editable as a number. What is posted: `<name>.asset` (the id) and `<name>.alt`, or the URL parts."""

    #: the URL form's parts: (key, label, kind)
    url_parts: tuple[tuple[str, str, str], ...] = ()
    kind = ""
    noun = ""

    def render(self, field, value, name, path, ctx):
        current = value if isinstance(value, dict) else {}
        asset = current.get("asset")
        asset_id = asset if isinstance(asset, int) and not isinstance(asset, bool) else None
        asset_path = format_path("data", (*path, "asset"))
        cid = control_id(name)
        ctx.anchors[asset_path] = f"{cid}-choose"
        asset_error = ctx.error_at(asset_path)
        disabled = mark_safe(" disabled") if ctx.disabled else ""
        picked = asset_id is not None or (asset is not None and not isinstance(asset, dict))
        thumb = (
            format_html(
                '<img src="{}" alt="" class="cms-asset-thumb">', reverse("admin:media_asset_thumb", args=[asset_id])
            )
            if asset_id is not None and self.kind == "image"
            else mark_safe("")
        )
        chooser = format_html(
            '<div class="cms-asset-field" data-kind="{kind}" data-name="{name}">'
            '<input type="hidden" name="{name}.asset" value="{value}" class="cms-asset-id" id="{cid}-asset">'
            '<div class="cms-asset-current"{hide_current}>'
            '<div class="cms-focal-picker cms-asset-picture"{hide_picture}>{thumb}'
            '<span class="cms-focal-mark" aria-hidden="true" hidden></span></div>'
            '<span class="cms-asset-name" id="{cid}-name">{label}</span></div>'
            '<p class="cms-asset-none"{hide_none}>No {noun} chosen.</p>'
            '<div class="cms-asset-actions">'
            '<button type="button" class="button cms-asset-choose" id="{cid}-choose" aria-haspopup="dialog"'
            ' aria-describedby="{cid}-name"{invalid}{disabled}>Choose from library</button>'
            '<label class="button cms-asset-upload-label" for="{cid}-upload">Upload {article} {noun}</label>'
            '<input type="file" class="cms-asset-upload cms-visually-hidden" id="{cid}-upload"{accept}{disabled}>'
            '<button type="button" class="button cms-asset-remove"{hide_remove} aria-describedby="{cid}-name"'
            "{disabled}>Remove</button></div>"
            '<progress class="cms-asset-progress" max="100" value="0" hidden aria-label="Upload progress"></progress>'
            '<span class="cms-asset-status" role="status"></span>{error}',
            kind=self.kind,
            name=name,
            value="" if asset is None or isinstance(asset, dict) else asset,
            cid=cid,
            hide_current=mark_safe("") if picked else mark_safe(" hidden"),
            hide_picture=mark_safe("") if asset_id is not None and self.kind == "image" else mark_safe(" hidden"),
            thumb=thumb,
            label=f"Asset {asset}" if picked else "",
            hide_none=mark_safe(" hidden") if picked else mark_safe(""),
            noun=self.noun,
            article="an" if self.noun[:1] in "aeiou" else "a",
            invalid=format_html(' aria-invalid="true" aria-errormessage="{}-asset-error"', cid) if asset_error else "",
            disabled=disabled,
            accept=mark_safe(' accept="image/*"') if self.kind == "image" else "",
            hide_remove=mark_safe("") if picked else mark_safe(" hidden"),
            error=error_html(asset_error, f"{cid}-asset-error"),
        )
        rows = []
        if self.kind == "image":
            rows.append(self._sub_input("alt", "Alt text", "text", current, name, path, ctx))
            rows.append(
                format_html(
                    '<p class="help cms-asset-alt-help" id="{}-alt-help">Empty: the library&#x27;s alt text in the '
                    "reader&#x27;s language. The focal point belongs to the picture: click it to set it "
                    "(saved in the library at once; arrow keys move it).</p>",
                    cid,
                )
            )
        url_rows = [self._sub_input(key, label, kind, current, name, path, ctx) for key, label, kind in self.url_parts]
        has_url = any(current.get(key) not in (None, "") for key, _, _ in self.url_parts) and not picked
        url_errors = any(format_path("data", (*path, key)) in ctx.shown for key, _, _ in self.url_parts)
        external = format_html(
            '<details class="cms-asset-url"{}><summary>Or link to {} {} elsewhere (URL)</summary>'
            '<div class="cms-subfields">{}</div></details>',
            mark_safe(" open") if has_url or url_errors else "",
            "an" if self.noun[:1] in "aeiou" else "a",
            self.noun,
            mark_safe("".join(url_rows)),
        )
        return format_html("{}{}{}</div>", chooser, mark_safe("".join(rows)), external)

    def _sub_input(self, key: str, label: str, kind: str, current: dict, name: str, path: tuple, ctx) -> SafeString:
        sub = current.get(key)
        sub_path = format_path("data", (*path, key))
        sub_id = control_id(f"{name}.{key}")
        ctx.anchors[sub_path] = sub_id
        error = ctx.error_at(sub_path)
        invalid = {"aria_invalid": "true", "aria_describedby": f"{sub_id}-error"} if error else {}
        if key == "alt" and not error:
            invalid = {"aria_describedby": f"{control_id(name)}-alt-help"}
        return format_html(
            '<label class="cms-sub" for="{}">{}</label><input type="{}" name="{}.{}" value="{}" class="cms-input"{}>{}',
            sub_id,
            label,
            "number" if kind == "int" else "text",
            name,
            key,
            "" if sub is None or isinstance(sub, dict | list) else sub,
            control_attrs(ctx, id=sub_id, min=0 if kind == "int" else None, **invalid),
            error_html(error, f"{sub_id}-error"),
        )

    def parse(self, field, post, name):
        asset_text = (posted_text(post, f"{name}.asset") or "").strip()
        if asset_text:
            value: dict[str, Any] = {"asset": int(asset_text) if asset_text.isdigit() else asset_text}
            alt = (posted_text(post, f"{name}.alt") or "").strip()
            if alt and self.kind == "image":
                value["alt"] = alt
            return value
        return super().parse(field, post, name)


@widget
class ImageWidget(_AssetWidget):
    type_name = "image"
    kind = "image"
    noun = "image"
    url_parts = (
        ("url", "Image URL", "text"),
        ("width", "Width", "int"),
        ("height", "Height", "int"),
    )
    parts = (
        ("url", "Image URL", "text"),
        ("alt", "Alt text", "text"),
        ("width", "Width", "int"),
        ("height", "Height", "int"),
    )


@widget
class FileWidget(_AssetWidget):
    type_name = "file"
    kind = "file"
    noun = "file"
    url_parts = (
        ("url", "File URL", "text"),
        ("name", "File name", "text"),
        ("size", "Size in bytes (optional)", "int"),
        ("mimeType", "MIME type (optional)", "text"),
    )
    parts = url_parts


@widget
class DateTimeWidget(Widget):
    """A date-time picker in UTC. An unchanged value keeps its stored form (its own offset)."""

    type_name = "datetime"

    def render(self, field, value, name, path, ctx):
        instant = parse_datetime(value)
        local = instant.strftime("%Y-%m-%dT%H:%M:%S") if instant else ""
        original = value if isinstance(value, str) else ""
        return format_html(
            '<input type="datetime-local" step="1" name="{}" value="{}" class="cms-input"{}> <span class="cms-hint">'
            'UTC</span><input type="hidden" name="{}.__orig" value="{}">',
            name,
            local,
            control_attrs(ctx),
            name,
            original,
        )

    def parse(self, field, post, name):
        text = (posted_text(post, name) or "").strip()
        if not text:
            return MISSING
        original = posted_text(post, f"{name}.__orig") or ""
        candidate = text if len(text) > 16 else text + ":00"
        try:
            instant = datetime.fromisoformat(candidate).replace(tzinfo=UTC)
        except ValueError:
            return text
        if original and parse_datetime(original) == instant:
            return original
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@widget
class DataSourceWidget(Widget):
    type_name = "dataSource"
    labelable = False

    def render(self, field, value, name, path, ctx):
        params = field.get("params") or {}
        described = ", ".join(f"{k}={v}" for k, v in params.items())
        return format_html(
            '<p class="cms-readonly">Filled when the block is read, from the source <code>{}</code>{}.</p>',
            field.get("source", "?"),
            f" ({described})" if described else "",
        )

    def parse(self, field, post, name):
        return MISSING

    def present(self, post, name):
        return False


@widget
class ObjectWidget(Widget):
    type_name = "object"
    labelable = False

    def render(self, field, value, name, path, ctx):
        current = value if isinstance(value, dict) else {}
        inner = [
            render_field(sub, current.get(sub["name"], MISSING), f"{name}.{sub['name']}", (*path, sub["name"]), ctx)
            for sub in field.get("fields") or ()
        ]
        return format_html('<div class="cms-object">{}</div>', mark_safe("".join(inner)))

    def parse(self, field, post, name):
        out = {}
        for sub in field.get("fields") or ():
            if sub["type"] == "dataSource":
                continue
            value = widget_for(sub["type"]).parse(sub, post, f"{name}.{sub['name']}")
            if value is not MISSING:
                out[sub["name"]] = value
        return out or MISSING


# A row of fields folds to its title line ("Plan 2 · Pro"); a row of one value has nothing to fold.
def fold_button(noun: str, number: int) -> SafeString:
    return format_html(
        '<button type="button" class="cms-toggle" title="Fold" aria-expanded="true" aria-label="Fold {} {}">▾</button>',
        noun,
        number,
    )


@widget
class ArrayWidget(Widget):
    """Rows with move up / move down / remove, and an "Add" button that copies a <template> row (editor.js).

    Without `items` any JSON is accepted (the reference's free-form lists): rows with a kind selector
    (editor/freeform.py).
    """

    type_name = "array"
    labelable = False

    def render(self, field, value, name, path, ctx):
        items = field.get("items")
        if not items:
            return render_free_list(value, name, path, ctx)
        rows = value if isinstance(value, list) else []
        # A copy's list of objects with shared values (a plan's price): its rows are the source's, kept in step
        # row by row, so they are not added, removed or moved here (the note under the list says where).
        fixed = ctx.notes is not None and ctx.notes.fixed_rows(field)
        was_off, ctx.tools_off = ctx.tools_off, fixed  # its own rows only, not lists inside them
        ctx.depth += 1
        placeholder = f"__R{ctx.depth}__"
        noun = item_noun(field)
        rendered = [
            self._row(items, item, f"{name}.i{index}", (*path, index), ctx, noun) for index, item in enumerate(rows)
        ]
        template_ctx = RenderContext(errors={}, disabled=ctx.disabled, depth=ctx.depth, tools_off=fixed)
        template = self._row(items, MISSING, f"{name}.{placeholder}", (*path, 0), template_ctx, noun)
        ctx.depth -= 1
        ctx.tools_off = was_off
        nouns = field_label(field).lower() or noun + "s"
        most = field.get("maxItems")
        full = isinstance(most, int) and len(rows) >= most
        add = (
            ""
            if ctx.disabled or fixed
            else format_html(
                '<button type="button" class="button cms-add-row"{}>Add {}</button>', " disabled" if full else "", noun
            )
        )
        if fixed:
            add = format_html(
                '<p class="help cms-tr-rows">The {} follow the {} copy: rows are added, removed and reordered there.'
                "</p>",
                field_label(field).lower(),
                ctx.notes.source_locale,
            )
        return format_html(
            '<div class="cms-array" data-name="{}" data-placeholder="{}" data-noun="{}" data-nouns="{}"'
            ' data-min-items="{}" data-max-items="{}"><div class="cms-rows">{}</div><template>{}</template>'
            '<p class="cms-array-count cms-hint" aria-live="polite">{}</p>{}</div>',
            name,
            placeholder,
            noun,
            nouns,
            field.get("minItems") or "",
            most if isinstance(most, int) else "",
            mark_safe("".join(rendered)),
            template,
            row_count(len(rows), noun, nouns, field.get("minItems"), most),
            add,
        )

    def _row(self, items: dict, value: Any, name: str, path: tuple, ctx: RenderContext, noun: str) -> SafeString:
        number = path[-1] + 1
        buttons = (
            ""
            if ctx.disabled or ctx.tools_off
            else format_html(
                '<span class="cms-row-tools">'
                '<span class="cms-drag" title="Drag to move" aria-hidden="true">⠿</span>{2}'
                '<button type="button" class="cms-up" title="Move up" aria-label="Move {0} {1} up">↑</button>'
                '<button type="button" class="cms-down" title="Move down" aria-label="Move {0} {1} down">↓</button>'
                '<button type="button" class="cms-remove" title="Remove" aria-label="Remove {0} {1}">✕</button>'
                "</span>",
                noun,
                number,
                "" if widget_for(items["type"]).labelable else fold_button(noun, number),
            )
        )
        row_path = format_path("data", path)
        row_id = control_id(name)
        ctx.anchors[row_path] = row_id
        error = ctx.error_at(row_path)
        row_widget = widget_for(items["type"])
        if row_widget.labelable:  # a row of plain values: the row's one control is named "Plan 2"
            ctx.pending = {"id": row_id, "aria_label": f"{noun.capitalize()} {number}"}
            if error:
                ctx.pending.update(aria_invalid="true", aria_describedby=f"{row_id}-error")
        control = row_widget.render(items, value, name, path, ctx)
        ctx.pending = None
        group = "" if row_widget.labelable else format_html(' id="{}" tabindex="-1"', row_id)
        return format_html(
            '<div class="cms-row" role="group" aria-label="{0} {1}"{2}>'
            '<div class="cms-row-title" aria-hidden="true">{0} {1}</div>{6}'
            '<input type="hidden" name="{3}.{4}" value="1">{5}{7}</div>',
            noun.capitalize(),
            number,
            group,
            name,
            ROW_MARK,
            control,
            buttons,  # before the row's fields: they sit on its title line, and Tab meets them in that order
            error_html(error, f"{row_id}-error"),
        )

    def parse(self, field, post, name):
        items = field.get("items")
        if not items:
            return parse_free_list(post, name)
        out = []
        for token in row_tokens(post, name + "."):
            value = widget_for(items["type"]).parse(items, post, f"{name}.{token}")
            if value is not MISSING:
                out.append(value)
        return out or MISSING


def row_count(count: int, noun: str, nouns: str, least: Any, most: Any) -> str:
    """The list's size against its limits, in words ("3 plans, at most 4"); editor.js keeps it current."""
    words = f"{count} {noun if count == 1 else nouns}"
    limits = [
        f"at least {least}" if isinstance(least, int) and least else "",
        f"at most {most}" if isinstance(most, int) else "",
    ]
    said = " and ".join(part for part in limits if part)
    return f"{words}, {said}" if said else words


def render_field(field: dict, value: Any, name: str, path: tuple, ctx: RenderContext) -> SafeString:
    """One field with its label, help, required mark and its own error, for any type."""
    ftype = field["type"]
    where = format_path("data", path)
    cid = control_id(name)
    error_id = f"{cid}-error"
    ctx.anchors[where] = cid
    error = ctx.error_at(where)
    help_id = f"{cid}-help" if field.get("help") else None
    note = ctx.notes.note(field, where, top_level=len(path) == 1) if ctx.notes is not None else None
    note_id = f"{cid}-tr" if note else None
    described = " ".join(part for part in (error_id if error else None, note_id, help_id) if part) or None
    form_widget = widget_for(ftype)
    if form_widget.labelable:
        ctx.pending = {"id": cid, "aria_invalid": "true" if error else None, "aria_describedby": described}
        label_tag = format_html('<label class="cms-label" for="{}">', cid)
        group = ""
    else:  # a group of controls (rows, sub-fields, choices): named by its label, the target of error links
        label_tag = format_html('<label class="cms-label" id="{}-label">', cid)
        group = format_html(
            ' role="group" id="{}" tabindex="-1" aria-labelledby="{}-label"{}',
            cid,
            cid,
            format_html(' aria-describedby="{}"', described) if described else "",
        )
    locked = bool(note and note[2] and not ctx.disabled)  # a copy's shared field: read-only (and not read back)
    ctx.disabled = ctx.disabled or locked
    control = form_widget.render(field, value, name, path, ctx)
    ctx.disabled = ctx.disabled and not locked
    ctx.pending = None
    if ctx.notes is not None:  # a locale copy: the source beside the control, old → new, "Keep"
        control = ctx.notes.workspace(field, where, None if value is MISSING else value, control, disabled=ctx.disabled)
    required = (
        mark_safe(' <span class="cms-required" title="Required to publish">*</span>') if field.get("required") else ""
    )
    help_text = format_html('<div class="help" id="{}">{}</div>', help_id, field["help"]) if help_id else ""
    note_html = (
        format_html('<span class="cms-tr-note cms-tr-note-{}" id="{}">{}</span>', note[0], note_id, note[1])
        if note
        else ""
    )
    return format_html(
        '<div class="cms-field cms-type-{}{}{}" data-path="{}"{}>{}{}{}</label>{}{}{}{}</div>',
        ftype,
        " cms-has-error" if error else "",
        " cms-locked" if locked else "",
        where,
        group,
        label_tag,
        field_label(field),
        required,
        note_html,
        error_html(error, error_id),
        control,
        help_text,
    )
