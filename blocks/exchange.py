"""Translation files for translation tools (XLIFF and PO), as pure functions of units (no queries but the
locale check).

A *unit* is one localized value of one block copy (`blocks.translation_units`): its id is the block's
translation key and the locale-independent data path (`4f1c…/plans[1].name`), the same in every locale,
so a file exported for `fr` finds its blocks again on import whatever their slugs became.

Three formats: **XLIFF 2.1** (`xliff2`, written and read with lxml by `blocks.xliff2`: no maintained Python
library writes XLIFF 2), **XLIFF 1.2** (`xliff`, for older tools) and **PO** (`po`), both through
translate-toolkit (the reference implementation behind Pootle and Weblate), rather than XML and PO written
by hand.

What a unit carries besides source and target, as notes a tool shows its translator (`#.` comments in PO,
`<note from="developer">` in XLIFF 1.2, `<note category="…">` in XLIFF 2.1): the field's label, help and
maxLength, and the **fingerprint** of the source value it was exported with. Import compares it with the
source's current fingerprint, so a source changed since the export is reported instead of silently
overwritten.

Rich text is HTML in a string. In XLIFF its markup travels as **inline codes** (`blocks.inline_codes`):
`<pc>`/`<ph/>` with the original tags in `<originalData>` (2.1), `<g>`/`<x/>` with the original tags in a
`codes:` note (1.2), so a tool shows `<strong>`, links and list items as tags to keep, not as text. PO has
no inline codes: there it travels as HTML text. The import sanitises it exactly as an API write does, so a
round trip gives the same bytes.

Values that are not strings (a localized list of strings) travel as JSON text, with a `format: json` note.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from translate.storage import po, xliff

from accounts.models import Site
from blocks import inline_codes, xliff2
from blocks.translation_units import (
    MACHINE,
    OUTDATED,
    TRANSLATED,
    UNTRANSLATED,
    SourceView,
    path_key,
    unit_paths,
    unit_states,
    unit_values,
)
from cms import errors
from locales.codes import InvalidLocaleCode, canonical_code
from locales.selectors import enabled_locale_codes
from schema import ANY_ITEM, values_at

XLIFF, XLIFF2, PO = "xliff", "xliff2", "po"
FORMATS = (XLIFF2, XLIFF, PO)
# One media type for both files (the API documents one per answer): a download, named by its extension.
CONTENT_TYPE = "application/octet-stream"
EXTENSIONS = {XLIFF: "xlf", XLIFF2: "xlf", PO: "po"}
FORMAT_NAMES = {XLIFF2: "XLIFF 2.1", XLIFF: "XLIFF 1.2", PO: "PO"}

# Our unit state → the XLIFF 1.2 `state` of the target (untranslated units have no target).
XLIFF_STATES = {OUTDATED: "needs-translation", TRANSLATED: "final", MACHINE: "translated"}
# … and the XLIFF 2.1 `state` / `subState` of the segment (`initial` is the one a tool reads as "not done").
XLIFF2_STATES = {
    UNTRANSLATED: ("initial", None),
    OUTDATED: ("initial", "cms:outdated"),
    MACHINE: ("translated", "cms:machine"),
    TRANSLATED: ("final", None),
}
_NOTE = re.compile(r"^(fingerprint|format|codes): (.*)$", re.MULTILINE)


# -- the checks of a request (they read the site's enabled locales) ----------------------------------------


def _refused(name: str, message: str) -> errors.BadRequest:
    return errors.BadRequest("Invalid query parameters.", fields={name: message})


def check_format(fmt: str | None, name: str = "format") -> str:
    """The format asked for (`xliff2`, `xliff` or `po`). Like every query parameter's problem, `bad_request`."""
    if fmt in FORMATS:
        return fmt
    raise _refused(name, "Required: `xliff2` (XLIFF 2.1), `xliff` (XLIFF 1.2) or `po`.")


def check_target_locale(site: Site, locale: str | None, name: str = "locale") -> str:
    """A locale translations go to: enabled on the site and not its default (the source)."""
    if not locale:
        raise _refused(name, "Required: the target locale, such as `fr`.")
    try:
        code = canonical_code(locale)
    except InvalidLocaleCode as exc:
        raise _refused(name, str(exc)) from None
    if code not in enabled_locale_codes(site):
        raise _refused(name, f"`{code}` is not a locale this site enables.")
    if code == site.default_locale:
        raise _refused(name, f"`{code}` is the source locale: translations go to another.")
    return code


def detected_format(fmt: str, content: str) -> str:
    """`fmt`, with an XLIFF file read as the version it declares: a tool may hand back 1.2 for a 2.1 export
    or the other way round, and both keep our unit ids and notes."""
    head = content[:4000]
    if fmt not in (XLIFF, XLIFF2):
        return fmt
    if "urn:oasis:names:tc:xliff:document:2." in head:
        return XLIFF2
    return XLIFF if "urn:oasis:names:tc:xliff:document:1." in head else fmt


class FileProblem(ValueError):
    """The file could not be read as the format named (the message says why, for the `content` field)."""


@dataclass
class ExportUnit:
    id: str
    source: Any
    target: Any  # the copy's value; left out of the file when the unit is untranslated
    state: str
    fingerprint: str
    notes: list[str] = field(default_factory=list)
    rich: bool = False  # a `richtext` field: HTML, written as inline codes in XLIFF


@dataclass
class ImportUnit:
    id: str
    target: str | None
    fingerprint: str | None
    is_json: bool
    fuzzy: bool  # PO `fuzzy`, XLIFF `needs-…`/`new`/`initial`: the tool says the target is not final yet
    problem: str | None = None  # the unit's markup cannot be read back (an inline code with no original)


def as_text(value: Any) -> tuple[str, bool]:
    """`(text, is_json)`: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value, False
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")), True


def write_file(fmt: str, units: list[ExportUnit], *, source_locale: str, target_locale: str, origin: str) -> bytes:
    """The file of `units` in `fmt` (`xliff2`, `xliff` or `po`)."""
    if fmt == XLIFF2:
        return _write_xliff2(units, source_locale, target_locale, origin)
    if fmt == XLIFF:
        return _write_xliff(units, source_locale, target_locale, origin)
    return _write_po(units, target_locale)


def _notes(unit: ExportUnit, is_json: bool) -> list[str]:
    kind = ["format: json"] if is_json else (["format: html"] if unit.rich else [])
    return [*unit.notes, f"fingerprint: {unit.fingerprint}", *kind]


def _write_xliff2(units: list[ExportUnit], source_locale: str, target_locale: str, origin: str) -> bytes:
    out = []
    for unit in units:
        text, is_json = as_text(unit.source)
        state, sub_state = XLIFF2_STATES[unit.state]
        out.append(
            xliff2.Unit2(
                name=unit.id,
                source=text,
                target=None if unit.state == UNTRANSLATED else as_text(unit.target)[0],
                state=state,
                sub_state=sub_state,
                notes=[tuple(note.split(": ", 1)) for note in _notes(unit, is_json)],  # type: ignore[misc]
                rich=unit.rich and not is_json,
            )
        )
    return xliff2.write(out, source_locale=source_locale, target_locale=target_locale, origin=origin)


XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"


class Xliff12Unit(xliff.xliffunit):
    namespace = XLIFF_12


class Xliff12File(xliff.xlifffile):
    """translate-toolkit's XLIFF store, writing XLIFF 1.2 (its default skeleton declares 1.1; it reads both)."""

    UnitClass = Xliff12Unit
    namespace = XLIFF_12
    XMLskeleton = """<?xml version="1.0" ?>
<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'>
<file original='NoName' source-language='en' datatype='plaintext'>
<body>
</body>
</file>
</xliff>"""


def _write_xliff(units: list[ExportUnit], source_locale: str, target_locale: str, origin: str) -> bytes:
    store = Xliff12File(sourcelanguage=source_locale, targetlanguage=target_locale)
    store.setfilename(store.getfilenode("NoName"), origin)
    for unit in units:
        text, is_json = as_text(unit.source)
        out = store.addsourceunit(text, filename=origin)
        out.setid(unit.id)
        rich = unit.rich and not is_json
        codes = inline_codes.Codes()
        table: dict[str, list] = {}
        if rich:
            _fill_12(out.getlanguageNode(lang=None, index=0), inline_codes.parse(text, codes), table)
        if unit.state != UNTRANSLATED:
            out.settarget(as_text(unit.target)[0], lang=target_locale)
            out.markapproved(unit.state == TRANSLATED)
            node = out.getlanguageNode(lang=None, index=1)
            node.set("state", XLIFF_STATES[unit.state])
            if rich:
                _fill_12(node, inline_codes.parse(as_text(unit.target)[0], codes), table)
        notes = _notes(unit, is_json)
        if table:  # XLIFF 1.2 has no place for original markup: the codes' tags, by id, in a note
            notes.append("codes: " + json.dumps(table, ensure_ascii=False, separators=(",", ":")))
        for note in notes:
            out.addnote(note, origin="developer")
    return bytes(store)


def _fill_12(element: etree._Element, nodes: list[inline_codes.Node], table: dict[str, list]) -> None:
    """`element`'s content as text with `<g>` (an element with content) and `<x/>` (one without) codes."""
    for child in list(element):
        element.remove(child)
    element.text = None
    last: etree._Element | None = None
    for node in nodes:
        if isinstance(node, str):
            if last is None:
                element.text = (element.text or "") + node
            else:
                last.tail = (last.tail or "") + node
            continue
        code = node.code
        ctype = inline_codes.CTYPES.get(code.tag, f"x-html-{code.tag}" if code.tag != "#" else "x-html")
        if isinstance(node, inline_codes.Pair):
            table[code.id] = [code.start, code.end or ""]
            last = etree.SubElement(element, f"{{{XLIFF_12}}}g", {"id": code.id, "ctype": ctype})
            _fill_12(last, node.children, table)
        else:
            table[code.id] = [code.start]
            last = etree.SubElement(element, f"{{{XLIFF_12}}}x", {"id": code.id, "ctype": ctype})


def _render_12(element: etree._Element, table: dict[str, list]) -> str:
    """The HTML of an XLIFF 1.2 `<source>`/`<target>` with `<g>`/`<x/>` codes (and native-code `<bpt>`,
    `<ept>`, `<ph>`, `<it>` some tools write instead) turned back into the original tags."""
    out = [html.escape(element.text or "", quote=False)]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        tags = table.get(child.get("id") or "") or []
        if name == "g":
            if not tags:
                raise inline_codes.MissingCode(
                    f'The inline code <g id="{child.get("id", "")}"> is not in its `codes` note.'
                )
            out.append(tags[0] + _render_12(child, table) + (tags[1] if len(tags) > 1 else ""))
        elif name == "x":
            if not tags:
                raise inline_codes.MissingCode(
                    f'The inline code <x id="{child.get("id", "")}"> is not in its `codes` note.'
                )
            out.append(tags[0])
        elif name in ("bpt", "ept", "ph", "it"):  # native code: the element's text is the original markup
            out.append("".join(child.itertext()))
        elif name == "mrk":
            out.append(_render_12(child, table))
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def _write_po(units: list[ExportUnit], target_locale: str) -> bytes:
    store = po.pofile()
    store.updateheader(add=True, Language=target_locale, x_generator="cms")
    for unit in units:
        text, is_json = as_text(unit.source)
        out = store.addsourceunit(text)
        out.setcontext(unit.id)  # msgctxt: two units with the same source text stay apart
        for note in _notes(unit, is_json):
            out.addnote(note, origin="developer")
        if unit.state != UNTRANSLATED:  # an empty msgstr is how PO says "untranslated"
            out.target = as_text(unit.target)[0]
            out.markfuzzy(unit.state == OUTDATED)
    return bytes(store)


def read_file(fmt: str, content: str) -> tuple[str, list[ImportUnit]]:
    """`(target locale, units)` of a file; raises FileProblem when it cannot be read or names no locale."""
    if fmt == XLIFF2:
        return _read_xliff2(content)
    try:
        store = (xliff.xlifffile if fmt == XLIFF else po.pofile).parsestring(content.encode())
    except Exception as exc:  # the toolkit's parsers raise many kinds; all mean "not this format"
        raise FileProblem(f"Not a readable {fmt.upper()} file: {str(exc)[:200] or type(exc).__name__}.") from None
    locale = store.gettargetlanguage()
    if not locale:
        where = "`target-language` of its `<file>`" if fmt == XLIFF else "`Language` header"
        raise FileProblem(f"The file names no target locale (its {where}).")
    units = []
    for unit in store.units:
        if unit.isheader():
            continue
        unit_id = unit.xmlelement.get("id") if fmt == XLIFF else unit.getcontext()
        meta = dict(_NOTE.findall(unit.getnotes("developer") or ""))
        target = unit.target
        problem = None
        if fmt == XLIFF:
            node = unit.getlanguageNode(lang=None, index=1)
            state = (node.get("state") or "") if node is not None else ""
            fuzzy = state == "new" or state.startswith("needs-")
            if meta.get("format") == "html" and node is not None and target:
                try:
                    target = _render_12(node, _codes_note(meta.get("codes")))
                except inline_codes.MissingCode as exc:
                    problem = str(exc)
        else:
            fuzzy = unit.isfuzzy()
        units.append(
            ImportUnit(
                id=unit_id or "",
                target=str(target) if target else None,
                fingerprint=meta.get("fingerprint"),
                is_json=meta.get("format") == "json",
                fuzzy=fuzzy,
                problem=problem,
            )
        )
    return locale, units


def _codes_note(text: str | None) -> dict[str, list]:
    try:
        table = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(table, dict):
        return {}
    return {str(key): [str(tag) for tag in tags] for key, tags in table.items() if isinstance(tags, list)}


def _read_xliff2(content: str) -> tuple[str, list[ImportUnit]]:
    try:
        locale, read = xliff2.read(content)
    except xliff2.NotXliff2 as exc:
        raise FileProblem(f"Not a readable XLIFF 2 file: {exc}") from None
    if not locale:
        raise FileProblem("The file names no target locale (the `trgLang` of its `<xliff>`).")
    units = [
        ImportUnit(
            id=unit.name,
            target=unit.target or None,
            fingerprint=unit.notes.get("fingerprint"),
            is_json=unit.notes.get("format") == "json",
            fuzzy=not unit.states or any(state == "initial" for state in unit.states),
            problem=unit.problem,
        )
        for unit in read
    ]
    return locale, units


# -- units of a block copy (pure) ---------------------------------------------------------------------------

_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def unit_id(translation_key: object, key: str) -> str:
    return f"{translation_key}/{key}"


def split_id(unit: str) -> tuple[str, str]:
    """`(translation key, data path)` of a unit id; `("", "")` when it is not one of ours."""
    translation_key, _, key = unit.partition("/")
    return (translation_key, key) if translation_key and key else ("", "")


def path_parts(key: str) -> tuple:
    """`plans[1].callToAction.label` → `("plans", 1, "callToAction", "label")` (the inverse of `path_key`)."""
    return tuple(int(index) if index else name for index, name in _STEP.findall(key))


def unit_fields(schema: list[dict], data: dict) -> dict[str, dict]:
    """`{concrete unit path: its field definition}` for the units present in `data`."""
    found: dict[str, dict] = {}
    definitions = _definitions(schema)
    for path in unit_paths(schema):
        for parts, _value in values_at(data, path):
            found[path_key(parts)] = definitions[path]
    return found


def _definitions(schema: list[dict], prefix: tuple = ()) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    for definition in schema:
        if not isinstance(definition, dict) or "name" not in definition:
            continue
        path = (*prefix, definition["name"])
        out[path] = definition
        items = definition.get("items")
        if definition.get("type") == "object":
            out.update(_definitions(definition.get("fields", []), path))
        elif isinstance(items, dict) and items.get("type") == "object":
            out.update(_definitions(items.get("fields", []), (*path, ANY_ITEM)))
    return out


def field_notes(definition: dict) -> list[str]:
    """What a translator should know about a field: its label, help and maximum length."""
    items = definition.get("items")
    items = items if isinstance(items, dict) else {}
    notes = [f"label: {definition.get('label') or definition.get('name')}"]
    if definition.get("help"):
        notes.append(f"help: {definition['help']}")
    max_length = definition.get("maxLength") or items.get("maxLength")
    if max_length:
        notes.append(f"maxLength: {max_length}")
    return notes


def export_units(source, target) -> list[ExportUnit]:
    """The units of the copy `target` against its group's `source`, in schema order (the source fills them)."""
    view = SourceView(source)
    states = unit_states(source, target, view=view)
    own = unit_values(target.schema, target.data)
    fields = unit_fields(source.schema, source.data)
    return [
        ExportUnit(
            id=unit_id(source.translation_key, key),
            source=view.values[key],
            target=own.get(key),
            state=states[key],
            fingerprint=view.print_of(key),
            notes=field_notes(fields[key]),
            rich=fields[key].get("type") == "richtext",
        )
        for key in view.wanted
    ]
