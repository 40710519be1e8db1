"""Issue 16 item 5: XLIFF 2.1 export and import through HTTP and commands, rich text as `<pc>`/`<ph>` codes.

The files are checked against the structure of the OASIS XLIFF 2.0/2.1 core schema (`xliff_core_2.0.xsd`,
whose namespace XLIFF 2.1 keeps) by `check_core_structure`: the elements, their order, the required
attributes and the enumerations of the parts we write.
"""

from __future__ import annotations

import copy
import re
from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from blocks import xliff2
from blocks.models import SiteBlock
from tests.api.test_translation_exchange import BODY, import_, key, make_story
from tests.api.test_translations import revisions_of
from tests.api.test_translators import PRICING_DATA, UNITS, make_pricing, translations

pytestmark = pytest.mark.django_db

NS = {"x": xliff2.NAMESPACE}
NMTOKEN = re.compile(r"^[\w.\-:]+$")
STATES = {"initial", "translated", "reviewed", "final"}
TYPES = {"fmt", "ui", "quote", "link", "image", "other"}
USER_DEFINED = re.compile(r"^[^\s:]+:[^\s:]+$")


def q(name: str) -> str:
    return f"{{{xliff2.NAMESPACE}}}{name}"


def _check_inline(element, data_ids: set[str], where: str) -> None:
    for child in element:
        name = etree.QName(child).localname
        assert child.tag in (q("pc"), q("ph")), f"{where}: <{name}> is not an inline code we write"
        assert NMTOKEN.match(child.get("id", "")), f"{where}: <{name}> needs an NMTOKEN id"
        assert child.get("type") in TYPES, f"{where}: <{name} type> {child.get('type')}"
        if child.get("subType"):
            assert USER_DEFINED.match(child.get("subType")), where
        refs = ("dataRefStart", "dataRefEnd") if name == "pc" else ("dataRef",)
        for ref in refs:
            if child.get(ref) is not None:
                assert child.get(ref) in data_ids, f"{where}: {ref}={child.get(ref)} has no <data>"
        assert child.get(refs[0]) is not None, f"{where}: <{name}> without {refs[0]}"
        if name == "ph":
            assert len(child) == 0 and not child.text, f"{where}: <ph/> is empty"
        else:
            _check_inline(child, data_ids, where)


def check_core_structure(content: bytes) -> etree._Element:
    """The document against the XLIFF 2 core schema's rules for what we write; answers its root."""
    root = etree.fromstring(content)
    assert root.tag == q("xliff")
    assert root.get("version") == "2.1"
    assert root.get("srcLang") and root.get("trgLang")
    assert set(root.attrib) == {"version", "srcLang", "trgLang"}
    files = list(root)
    assert files and all(file.tag == q("file") and NMTOKEN.match(file.get("id", "")) for file in files)
    for file in files:
        units = list(file)
        assert units, "a <file> has at least one <unit>"
        ids = [unit.get("id") for unit in units]
        assert len(set(ids)) == len(ids), "unit ids are unique in their file"
        for unit in units:
            assert unit.tag == q("unit") and NMTOKEN.match(unit.get("id", "")), unit.get("id")
            order = [etree.QName(child).localname for child in unit]
            assert re.fullmatch(r"(notes,)?(originalData,)?(segment,)+", ",".join(order) + ","), order
            data_ids = set()
            for child in unit:
                if child.tag == q("notes"):
                    assert len(child) and all(note.tag == q("note") and not len(note) for note in child)
                elif child.tag == q("originalData"):
                    assert len(child) and all(data.tag == q("data") and NMTOKEN.match(data.get("id")) for data in child)
                    data_ids = {data.get("id") for data in child}
                else:
                    assert child.get("state", "initial") in STATES
                    parts = [etree.QName(part).localname for part in child]
                    assert parts in (["source"], ["source", "target"]), parts
                    for part in child:
                        _check_inline(part, data_ids, unit.get("name"))
    return root


def export2(client, url="/api/v1/translations/export", locale="fr") -> bytes:
    response = client.get(f"{url}?locale={locale}&format=xliff2")
    assert response.status_code == 200, response.content
    return response.content


def units_by_name(root) -> dict:
    return {unit.get("name"): unit for unit in root.iter(q("unit"))}


def set_targets2(content: bytes, targets: dict[str, str], state: str = "translated") -> str:
    """The file with plain-text targets set on the units `targets` names, as a tool would write them."""
    root = etree.fromstring(content)
    for name, value in targets.items():
        segment = units_by_name(root)[name].find("x:segment", NS)
        target = segment.find("x:target", NS)
        if target is None:
            target = etree.SubElement(segment, q("target"))
        target.text = value
        segment.set("state", state)
        segment.attrib.pop("subState", None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def test_a_block_exports_as_xliff_21_with_notes_state_and_fingerprint(api):
    make_pricing(api)
    response = api.get("/api/v1/site-blocks/pricing/translations/export?locale=fr&format=xliff2")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-pricing-fr.xlf"'
    root = check_core_structure(response.content)
    assert (root.get("srcLang"), root.get("trgLang"), root.nsmap[None]) == ("en", "fr", xliff2.NAMESPACE)
    assert root.find("x:file", NS).get("original") == "acme/pricing"
    units = units_by_name(root)
    assert list(units) == [f"{key()}/{path}" for path in UNITS]
    title = units[f"{key()}/title"]
    assert title.get("id") == "u1"
    notes = [(note.get("category"), note.text) for note in title.iterfind("x:notes/x:note", NS)]
    assert notes[0] == ("label", "title")
    assert notes[1][0] == "fingerprint" and re.fullmatch(r"[0-9a-f]{16}", notes[1][1])
    segment = title.find("x:segment", NS)
    assert segment.get("state") == "initial"
    assert segment.findtext("x:source", namespaces=NS) == "Pricing"
    assert segment.find("x:target", NS) is None  # untranslated: no target a tool could take as done


def test_states_travel_as_segment_state_and_sub_state(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    put = translator.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Tarifs"}}, format="json")
    assert put.status_code == 200, put.json()
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    assert (
        translator.post(
            "/api/v1/site-blocks/pricing/translations/keep?locale=fr", {"fields": ["plans[1].name"]}, format="json"
        ).status_code
        == 200
    )
    units = units_by_name(check_core_structure(export2(translator)))
    title, pro = units[f"{key()}/title"].find("x:segment", NS), units[f"{key()}/plans[1].name"].find("x:segment", NS)
    assert (title.get("state"), title.get("subState"), title.findtext("x:target", namespaces=NS)) == (
        "initial",
        "cms:outdated",
        "Tarifs",
    )
    assert (pro.get("state"), pro.get("subState"), pro.findtext("x:target", namespaces=NS)) == ("final", None, "Pro")


def test_round_trip_changes_exactly_the_targets_changed_and_a_second_import_is_a_no_op(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    changed = set_targets2(export2(translator), {f"{key()}/title": "Tarifs", f"{key()}/plans[0].name": "Essentiel"})
    revisions = revisions_of("pricing", "fr")
    response = import_(translator, "xliff2", changed)
    assert response.status_code == 200, response.json()
    report = response.json()["data"]
    assert report["applied"] == [f"{key()}/title", f"{key()}/plans[0].name"]
    assert report["counts"] == {"applied": 2, "kept": 0, "unchanged": 0, "outdated": 0, "invalid": 0, "skipped": 3}
    fr = SiteBlock.objects.get(slug="pricing", locale="fr")
    expected = {**PRICING_DATA, "title": "Tarifs", "plans": [dict(plan) for plan in PRICING_DATA["plans"]]}
    expected["plans"][0]["name"] = "Essentiel"
    assert fr.data == expected
    assert revisions_of("pricing", "fr") == revisions + 1
    assert translations(translator)["fields"]["translated"] == ["title", "plans[0].name"]
    again = import_(translator, "xliff2", changed).json()["data"]
    assert (again["applied"], again["counts"]["unchanged"]) == ([], 2)
    assert SiteBlock.objects.get(pk=fr.pk).version == fr.version
    # A file that declares XLIFF 2 is read as one even when `format=xliff` was sent.
    assert import_(translator, "xliff", changed).json()["data"]["counts"]["unchanged"] == 2


def test_a_target_still_initial_is_not_a_confirmation_and_one_marked_translated_is_kept(api):
    make_pricing(api)
    content = export2(api)
    as_copied = set_targets2(content, {f"{key()}/plans[1].name": "Pro"}, state="initial")
    assert import_(api, "xliff2", as_copied).json()["data"]["unchanged"] == [f"{key()}/plans[1].name"]
    signed_off = set_targets2(content, {f"{key()}/plans[1].name": "Pro"}, state="reviewed")
    assert import_(api, "xliff2", signed_off).json()["data"]["kept"] == [f"{key()}/plans[1].name"]


def test_rich_text_travels_as_pc_and_ph_codes_and_survives_byte_identical(api):
    body = BODY + "<p>Line<br>break &amp; <strong>bold</strong> <em>it</em></p>"
    story = make_story(api)
    assert api.put("/api/v1/site-blocks/story/data", {"data": {"body": body}}, format="json").status_code == 200
    stored = SiteBlock.objects.get(slug="story", locale="en").data["body"]
    root = check_core_structure(export2(api, url="/api/v1/site-blocks/story/translations/export"))
    unit = units_by_name(root)[f"{story}/body"]
    notes = {note.get("category"): note.text for note in unit.iterfind("x:notes/x:note", NS)}
    assert (notes["label"], notes["help"], notes["maxLength"], notes["format"]) == (
        "Body",
        "The main text.",
        "500",
        "html",
    )
    data = {item.get("id"): item.text for item in unit.iterfind("x:originalData/x:data", NS)}
    assert data == {
        "d1": "<p>",
        "d2": "</p>",
        "d3": '<a href="https://example.com/plans" rel="noopener noreferrer">',
        "d4": "</a>",
        "d5": "<ul>",
        "d6": "</ul>",
        "d7": "<li>",
        "d8": "</li>",
        "d9": "<br>",
        "d10": "<strong>",
        "d11": "</strong>",
        "d12": "<em>",
        "d13": "</em>",
    }
    source = unit.find("x:segment/x:source", NS)
    codes = [(etree.QName(code).localname, code.get("type"), code.get("subType")) for code in source.iter()][1:]
    assert codes == [
        ("pc", "other", None),
        ("pc", "link", None),
        ("pc", "other", None),
        ("pc", "other", None),
        ("pc", "other", None),
        ("pc", "other", None),
        ("ph", "fmt", "xlf:lb"),
        ("pc", "fmt", "xlf:b"),
        ("pc", "fmt", "xlf:i"),
    ]
    assert "".join(source.itertext()) == "See our plans:onetwoLinebreak & bold it"  # what a translator reads
    # A tool translates the text between the codes and keeps the codes.
    target = copy.deepcopy(source)
    target.tag = q("target")
    for node in target.iter():
        node.text = node.text and node.text.replace("See", "Voir").replace("bold", "gras")
        if node is not target:
            node.tail = node.tail and node.tail.replace("break", "saut")
    source.getparent().append(target)
    response = import_(api, "xliff2", etree.tostring(root).decode())
    assert response.json()["data"]["applied"] == [f"{story}/body"], response.json()
    french = stored.replace("See", "Voir").replace("bold", "gras").replace("break", "saut")
    assert SiteBlock.objects.get(slug="story", locale="fr").data["body"] == french
    # Exported again, the target's codes carry the source's ids.
    again = units_by_name(check_core_structure(export2(api, url="/api/v1/site-blocks/story/translations/export")))
    segment = again[f"{story}/body"].find("x:segment", NS)
    ids = [[code.get("id") for code in part.iter()][1:] for part in segment]
    assert ids[0] == ids[1] == [str(n) for n in range(1, 10)]


def test_a_code_with_no_original_data_is_an_invalid_unit_and_nothing_of_its_block_is_written(api):
    story = make_story(api)
    root = etree.fromstring(export2(api, url="/api/v1/site-blocks/story/translations/export"))
    unit = units_by_name(root)[f"{story}/body"]
    source = unit.find("x:segment/x:source", NS)
    target = copy.deepcopy(source)
    target.tag = q("target")
    target[0].set("dataRefStart", "d99")
    source.getparent().append(target)
    version = SiteBlock.objects.get(slug="story", locale="fr").version
    report = import_(api, "xliff2", etree.tostring(root).decode()).json()["data"]
    assert report["invalid"] == [
        {
            "id": f"{story}/body",
            "path": "body",
            "message": 'The inline code <pc id="1"> names no original data (dataRefStart).',
        }
    ]
    assert SiteBlock.objects.get(slug="story", locale="fr").version == version


def test_an_invalid_unit_is_refused_with_its_path_and_nothing_of_its_block_is_written(api):
    make_pricing(api)
    version = SiteBlock.objects.get(slug="pricing", locale="fr").version
    changed = set_targets2(export2(api), {f"{key()}/title": "Tarifs", f"{key()}/plans[1].name": "x" * 300})
    report = import_(api, "xliff2", changed).json()["data"]
    assert report["invalid"] == [
        {"id": f"{key()}/plans[1].name", "path": "plans[1].name", "message": "Must be at most 255 characters long."}
    ]
    assert {"id": f"{key()}/title", "reason": "Another unit of this block is invalid."} in report["skipped"]
    assert SiteBlock.objects.get(slug="pricing", locale="fr").version == version


def test_units_whose_source_changed_since_the_export_are_reported_outdated(api):
    make_pricing(api)
    content = export2(api)
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    report = import_(api, "xliff2", set_targets2(content, {f"{key()}/title": "Tarifs"})).json()["data"]
    assert report["outdated"] == [f"{key()}/title"]
    assert SiteBlock.objects.get(slug="pricing", locale="fr").data["title"] == "Pricing"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<xliff", "Not a readable XLIFF 2 file: Not well-formed XML: "),
        (
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="1.2" srcLang="en"/>',
            "Not a readable XLIFF 2 file: The `version` of <xliff> must be 2.0 or 2.1, not `1.2`.",
        ),
        (
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en"/>',
            "The file names no target locale (the `trgLang` of its `<xliff>`).",
        ),
    ],
)
def test_an_unreadable_file_is_refused_naming_content(api, content, message):
    response = import_(api, "xliff2", content)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("validation_failed", ["content"])
    assert error["fields"]["content"].startswith(message), error


def test_an_external_entity_is_not_resolved(api, tmp_path):
    make_pricing(api)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = set_targets2(export2(api), {f"{key()}/title": "PLACEHOLDER"}).replace("PLACEHOLDER", "&leak;")
    text = text.replace("<xliff ", f'<!DOCTYPE xliff [<!ENTITY leak SYSTEM "file://{secret}">]>\n<xliff ', 1)
    response = import_(api, "xliff2", text)
    assert response.status_code == 200, response.json()
    assert "TOP-SECRET" not in str(SiteBlock.objects.get(slug="pricing", locale="fr").data)
    assert "TOP-SECRET" not in response.content.decode()


def test_commands_export_and_import_the_demo_site_as_xliff_21(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    out = tmp_path / "demo.xlf"
    call_command(
        "export_translations", "demo", "--locale", "fr", "--format", "xliff2", "-o", str(out), stdout=StringIO()
    )
    check_core_structure(out.read_bytes())
    locale, units = xliff2.read(out.read_bytes())
    assert locale == "fr" and len(units) > 5
    assert all(unit.target for unit in units)  # the demo's French blocks are translated
    printed = StringIO()
    call_command("import_translations", "demo", str(out), stdout=printed)  # `.xlf`: the version is read
    assert f"unchanged {len(units)}" in printed.getvalue()
    assert "applied 0" in printed.getvalue()
