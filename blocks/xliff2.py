"""XLIFF 2.1 files (OASIS XLIFF Version 2.1, core), written and read with lxml, as pure functions.

No maintained Python library writes XLIFF 2 (translate-toolkit, the reference implementation we use for XLIFF
1.2 and PO, has no XLIFF 2 store; the few PyPI packages named for it are unmaintained or build XML from
strings), so this module builds the document as an element tree and parses it with a hardened parser
(docs/decisions.md, "XLIFF 2.1 without a library"). What it writes validates against the OASIS core schema
`xliff_core_2.0.xsd` (XLIFF 2.1 keeps the 2.0 core namespace and schema):

    <xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="fr">
      <file id="f1" original="acme">
        <unit id="u1" name="{translation key}/{data path}">
          <notes><note category="label">Title</note> … <note category="fingerprint">…</note></notes>
          <originalData><data id="d1">&lt;strong&gt;</data> …</originalData>      (rich text only)
          <segment state="initial|translated|final" subState="cms:…"><source>…</source><target>…</target>
        </unit>

A unit's `id` must be an XML name token, which our unit ids (`4f1c…/plans[1].name`) are not, so the id is a
counter and the unit id travels in `name`, which import reads. Rich text is written as inline codes (`<pc>`
for an element with content, `<ph/>` for one without), their original tags in `<originalData>`
(`blocks.inline_codes`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from lxml import etree

from blocks import inline_codes
from blocks.inline_codes import Codes, Node, Pair

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
VERSION = "2.1"
# XML's own namespace (xml:space), which lxml spells out in full.
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


@dataclass
class Unit2:
    """One unit to write: `notes` as `(category, text)`; `rich`: source and target are HTML."""

    name: str
    source: str
    target: str | None
    state: str  # initial | translated | reviewed | final
    sub_state: str | None
    notes: list[tuple[str, str]]
    rich: bool = False


@dataclass
class Read2:
    """One unit read back: `target` is None when no segment has one; `problem` says why it cannot be used."""

    name: str
    target: str | None
    states: list[str]
    notes: dict[str, str]
    problem: str | None = None


# -- writing ----------------------------------------------------------------------------------------------


class _Data:
    """A unit's `<originalData>`: one `<data>` per distinct original tag text."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def ref(self, text: str) -> str:
        if text not in self.ids:
            self.ids[text] = f"d{len(self.ids) + 1}"
        return self.ids[text]


def _code_type(code: inline_codes.Code) -> dict[str, str]:
    if code.tag in inline_codes.FORMATTING:
        return {"type": "fmt", "subType": inline_codes.FORMATTING[code.tag]}
    return {"type": {"a": "link", "img": "image"}.get(code.tag, "other")}


def _fill(parent: etree._Element, nodes: list[Node], data: _Data) -> None:
    last: etree._Element | None = None
    for node in nodes:
        if isinstance(node, str):
            if last is None:
                parent.text = (parent.text or "") + node
            else:
                last.tail = (last.tail or "") + node
            continue
        code = node.code
        if isinstance(node, Pair):
            attributes = {"id": code.id, "dataRefStart": data.ref(code.start)}
            if code.end:
                attributes["dataRefEnd"] = data.ref(code.end)
            last = etree.SubElement(parent, q("pc"), {**attributes, **_code_type(code)})
            _fill(last, node.children, data)
        else:
            last = etree.SubElement(
                parent, q("ph"), {"id": code.id, "dataRef": data.ref(code.start), **_code_type(code)}
            )


def _indent(element: etree._Element, depth: int) -> None:
    """Line breaks between structural elements only: whitespace inside `<source>`/`<target>` is content."""
    element.text = "\n" + "  " * (depth + 1)
    for child in element:
        child.tail = "\n" + "  " * (depth + 1)
    if len(element):
        element[-1].tail = "\n" + "  " * depth


def write(units: list[Unit2], *, source_locale: str, target_locale: str, origin: str) -> bytes:
    root = etree.Element(
        q("xliff"), {"version": VERSION, "srcLang": source_locale, "trgLang": target_locale}, nsmap={None: NAMESPACE}
    )
    file = etree.SubElement(root, q("file"), {"id": "f1", "original": origin})
    for number, unit in enumerate(units, start=1):
        element = etree.SubElement(file, q("unit"), {"id": f"u{number}", "name": unit.name})
        notes = etree.SubElement(element, q("notes"))
        for category, text in unit.notes:
            etree.SubElement(notes, q("note"), {"category": category}).text = text
        _indent(notes, 3)
        data = _Data()
        original = etree.SubElement(element, q("originalData"))
        segment = etree.SubElement(element, q("segment"), {"state": unit.state})
        if unit.sub_state:
            segment.set("subState", unit.sub_state)
        source = etree.SubElement(segment, q("source"), {XML_SPACE: "preserve"})
        target = None if unit.target is None else etree.SubElement(segment, q("target"), {XML_SPACE: "preserve"})
        if unit.rich:
            codes = Codes()
            _fill(source, inline_codes.parse(unit.source, codes), data)
            if target is not None:
                _fill(target, inline_codes.parse(unit.target or "", codes), data)
        else:
            source.text = unit.source
            if target is not None:
                target.text = unit.target
        if data.ids:
            for text, data_id in data.ids.items():
                etree.SubElement(original, q("data"), {"id": data_id, XML_SPACE: "preserve"}).text = text
            _indent(original, 3)
        else:
            element.remove(original)
        _indent(segment, 3)
        _indent(element, 2)
    _indent(file, 1)
    _indent(root, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# -- reading ----------------------------------------------------------------------------------------------


class NotXliff2(ValueError):
    """The text is not an XLIFF 2 document (the message says why)."""


def _parser() -> etree.XMLParser:
    # No entities resolved, no DTD loaded, no network: a file cannot make the server read anything.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def _render(element: etree._Element, data: dict[str, str], rich: bool) -> str:
    """The value of a `<source>`/`<target>`: rich text with its codes turned back into their original tags."""

    def text(value: str | None) -> str:
        value = value or ""
        return html.escape(value, quote=False) if rich else value

    out = [text(element.text)]
    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction: not content
            out.append(text(child.tail))
            continue
        name = etree.QName(child).localname
        if name == "pc":
            out.append(_original(child, "dataRefStart", data))
            out.append(_render(child, data, rich))
            out.append(_original(child, "dataRefEnd", data) if child.get("dataRefEnd") else "")
        elif name in ("ph", "sc", "ec"):
            out.append(_original(child, "dataRef", data))
        elif name == "cp":
            out.append(text(chr(int(child.get("hex", "0"), 16))))
        elif name == "mrk":  # an annotation a tool added: its content is ours, the marker is not
            out.append(_render(child, data, rich))
        out.append(text(child.tail))
    return "".join(out)


def _original(element: etree._Element, attribute: str, data: dict[str, str]) -> str:
    ref = element.get(attribute)
    if ref is None or ref not in data:
        name = etree.QName(element).localname
        raise inline_codes.MissingCode(
            f'The inline code <{name} id="{element.get("id", "")}"> names no original data ({attribute}).'
        )
    return data[ref]


def read(content: str | bytes) -> tuple[str | None, list[Read2]]:
    """`(trgLang, units)` of an XLIFF 2 document; raises NotXliff2 when it is not one."""
    raw = content.encode() if isinstance(content, str) else content
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise NotXliff2(f"Not well-formed XML: {str(exc)[:200]}") from None
    if root.tag != q("xliff"):
        raise NotXliff2(f"The root element must be <xliff> in the `{NAMESPACE}` namespace.")
    if not (root.get("version") or "").startswith("2."):
        raise NotXliff2(f"The `version` of <xliff> must be 2.0 or 2.1, not `{root.get('version')}`.")
    units = []
    for element in root.iter(q("unit")):
        notes = {note.get("category") or "": note.text or "" for note in element.iter(q("note"))}
        data: dict[str, Any] = {item.get("id"): "".join(item.itertext()) for item in element.iter(q("data"))}
        parts = [child for child in element if child.tag in (q("segment"), q("ignorable"))]
        found = Read2(
            name=element.get("name") or element.get("id") or "",
            target=None,
            states=[part.get("state") or "initial" for part in parts if part.tag == q("segment")],
            notes=notes,
        )
        targets = [part.find(q("target")) for part in parts]
        if any(target is not None for target in targets):
            rich = notes.get("format") == "html"
            try:
                found.target = "".join(
                    _render(target if target is not None else part.find(q("source")), data, rich)
                    for part, target in zip(parts, targets, strict=True)
                )
            except inline_codes.MissingCode as exc:
                found.problem = str(exc)
            except ValueError:
                found.problem = "A <cp> code point is not a hexadecimal number."
        units.append(found)
    return root.get("trgLang"), units
