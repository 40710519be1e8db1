"""Translation files for translation tools (XLIFF and PO), as pure functions of units (no queries but the
locale check).

A *unit* is one localized value of one block copy (`blocks.translation_units`): its id is the block's
translation key and the locale-independent data path (`4f1c…/plans[1].name`), the same in every locale,
so a file exported for `fr` finds its blocks again on import whatever their slugs became.

The formats are written and read with translate-toolkit (the reference implementation behind Pootle and
Weblate) rather than XML and PO written by hand. We write XLIFF 1.2 (`Xliff12File`) and read 1.1 and 1.2;
translate-toolkit has no XLIFF 2 support, so neither do we yet.

What a unit carries besides source and target, as notes a tool shows its translator (`#.` comments in PO,
`<note from="developer">` in XLIFF): the field's label, help and maxLength, and the **fingerprint** of the
source value it was exported with. Import compares it with the source's current fingerprint, so a source
changed since the export is reported instead of silently overwritten.

Rich text is HTML in a string: it travels as text (escaped in XLIFF, plain in PO), not as XLIFF inline
codes. The import sanitises it exactly as an API write does, so a round trip gives the same bytes.

Values that are not strings (a localized list of strings) travel as JSON text, with a `format: json` note.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from translate.storage import po, xliff

from accounts.models import Site
from blocks.translation_units import (
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

XLIFF, PO = "xliff", "po"
FORMATS = (XLIFF, PO)
# One media type for both files (the API documents one per answer): a download, named by its extension.
CONTENT_TYPE = "application/octet-stream"
EXTENSIONS = {XLIFF: "xlf", PO: "po"}

# Our unit state → the XLIFF 1.2 `state` of the target (untranslated units have no target).
XLIFF_STATES = {OUTDATED: "needs-translation", TRANSLATED: "final"}
_NOTE = re.compile(r"^(fingerprint|format): (.*)$", re.MULTILINE)


# -- the checks of a request (they read the site's enabled locales) ----------------------------------------


XLIFF2_MESSAGE = "XLIFF 2 is not supported yet (translate-toolkit reads and writes XLIFF 1.2); use `xliff`."


def _refused(name: str, message: str) -> errors.BadRequest:
    return errors.BadRequest("Invalid query parameters.", fields={name: message})


def check_format(fmt: str | None, name: str = "format") -> str:
    """The format asked for (`xliff` or `po`); XLIFF 2 is refused with the reason. Like every query
    parameter's problem, `bad_request`."""
    if fmt in FORMATS:
        return fmt
    if fmt and fmt.lower().startswith("xliff2"):
        raise _refused(name, XLIFF2_MESSAGE)
    raise _refused(name, "Required: `xliff` (XLIFF 1.2) or `po`.")


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


@dataclass
class ImportUnit:
    id: str
    target: str | None
    fingerprint: str | None
    is_json: bool
    fuzzy: bool  # PO `fuzzy`, XLIFF `needs-…`/`new`: the tool says the target is not final yet


def as_text(value: Any) -> tuple[str, bool]:
    """`(text, is_json)`: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value, False
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")), True


def write_file(fmt: str, units: list[ExportUnit], *, source_locale: str, target_locale: str, origin: str) -> bytes:
    """The file of `units` in `fmt` (`xliff` or `po`)."""
    if fmt == XLIFF:
        return _write_xliff(units, source_locale, target_locale, origin)
    return _write_po(units, target_locale)


def _notes(unit: ExportUnit, is_json: bool) -> list[str]:
    return [*unit.notes, f"fingerprint: {unit.fingerprint}", *(["format: json"] if is_json else [])]


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
        for note in _notes(unit, is_json):
            out.addnote(note, origin="developer")
        if unit.state != UNTRANSLATED:
            out.settarget(as_text(unit.target)[0], lang=target_locale)
            out.markapproved(unit.state == TRANSLATED)
            out.getlanguageNode(lang=None, index=1).set("state", XLIFF_STATES[unit.state])
    return bytes(store)


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
        if fmt == XLIFF:
            node = unit.getlanguageNode(lang=None, index=1)
            state = (node.get("state") or "") if node is not None else ""
            fuzzy = state == "new" or state.startswith("needs-")
        else:
            fuzzy = unit.isfuzzy()
        units.append(
            ImportUnit(
                id=unit_id or "",
                target=str(target) if target else None,
                fingerprint=meta.get("fingerprint"),
                is_json=meta.get("format") == "json",
                fuzzy=fuzzy,
            )
        )
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
        )
        for key in view.wanted
    ]
