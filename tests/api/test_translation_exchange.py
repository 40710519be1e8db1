"""Issue 16 item 5 through HTTP and commands: XLIFF and PO export and import of translations."""

from __future__ import annotations

import copy
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from translate.storage import po, xliff

from blocks.models import SiteBlock
from tests.api.test_translations import revisions_of
from tests.api.test_translators import PRICING_DATA, PRICING_SCHEMA, UNITS, make_pricing, translations

pytestmark = pytest.mark.django_db

# As the sanitiser leaves it (it adds `rel`): the source, and the translation, survive byte-identical.
BODY = (
    '<p>See <a href="https://example.com/plans" rel="noopener noreferrer">our plans</a>:</p>'
    "<ul><li>one</li><li>two</li></ul>"
)


def export(client, fmt="po", url="/api/v1/translations/export", locale="fr"):
    response = client.get(f"{url}?locale={locale}&format={fmt}")
    assert response.status_code == 200, response.content
    return response


def parse(fmt: str, text: str):
    return (xliff.xlifffile if fmt == "xliff" else po.pofile).parsestring(text.encode())


def unit_id(unit, fmt: str) -> str:
    return unit.xmlelement.get("id") if fmt == "xliff" else unit.getcontext()


def units_of(fmt: str, text: str) -> dict:
    return {unit_id(unit, fmt): unit for unit in parse(fmt, text).units if not unit.isheader()}


def import_(client, fmt: str, content: str, dry_run: bool = False):
    url = f"/api/v1/translations/import?format={fmt}" + ("&dryRun=true" if dry_run else "")
    return client.post(url, {"content": content}, format="json")


def key() -> str:
    return str(SiteBlock.objects.get(slug="pricing", locale="en").translation_key)


def set_targets(fmt: str, text: str, targets: dict[str, str]) -> str:
    """The file with the targets of the units `targets` names changed, as a translation tool would."""
    store = parse(fmt, text)
    for unit in store.units:
        if unit.isheader() or unit_id(unit, fmt) not in targets:
            continue
        if fmt == "xliff":
            unit.settarget(targets[unit_id(unit, fmt)], lang="fr")
        else:
            unit.target = targets[unit_id(unit, fmt)]
            unit.markfuzzy(False)
    return bytes(store).decode()


def empty_report(**lists) -> dict:
    names = ("applied", "kept", "unchanged", "outdated", "invalid", "skipped")
    report = {"locale": "fr", "dryRun": False, **{name: lists.get(name, []) for name in names}}
    report["counts"] = {name: len(report[name]) for name in names}
    return report


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_a_block_export_has_one_unit_per_localized_value_with_notes_state_and_fingerprint(api, fmt):
    make_pricing(api)
    response = export(api, fmt, url="/api/v1/site-blocks/pricing/translations/export")
    assert response["Content-Type"] == "application/octet-stream"
    suffix = "xlf" if fmt == "xliff" else "po"
    assert response["Content-Disposition"] == f'attachment; filename="acme-pricing-fr.{suffix}"'
    store = parse(fmt, response.content.decode())
    assert store.gettargetlanguage() == "fr"
    if fmt == "xliff":
        root = store.document.getroot()
        assert (root.get("version"), root.nsmap[None]) == ("1.2", "urn:oasis:names:tc:xliff:document:1.2")
    units = units_of(fmt, response.content.decode())
    assert list(units) == [f"{key()}/{path}" for path in UNITS]  # shared fields (discount, price) are not units
    title = units[f"{key()}/title"]
    assert title.source == "Pricing"
    assert not title.target  # a fresh copy: untranslated, so no target for the tool to take as done
    notes = title.getnotes("developer")
    assert re.fullmatch(r"label: title\nfingerprint: [0-9a-f]{16}", notes), notes


def test_states_travel_as_xliff_state_and_po_fuzzy(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    put = translator.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Tarifs"}}, format="json")
    assert put.status_code == 200, put.json()
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    put = translator.put(
        "/api/v1/site-blocks/pricing/data?locale=fr",
        {"data": {"plans": [{**PRICING_DATA["plans"][0], "name": "Essentiel"}, PRICING_DATA["plans"][1]]}},
        format="json",
    )
    assert put.status_code == 200, put.json()
    units = units_of("xliff", export(translator, "xliff").content.decode())
    title, basic, pro = (units[f"{key()}/{path}"] for path in ("title", "plans[0].name", "plans[1].name"))
    assert (title.target, title.getlanguageNode(lang=None, index=1).get("state")) == ("Tarifs", "needs-translation")
    assert (basic.target, basic.getlanguageNode(lang=None, index=1).get("state")) == ("Essentiel", "final")
    assert not pro.target
    units = units_of("po", export(translator, "po").content.decode())
    title, basic = units[f"{key()}/title"], units[f"{key()}/plans[0].name"]
    assert (title.target, title.isfuzzy(), basic.target, basic.isfuzzy()) == ("Tarifs", True, "Essentiel", False)


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_round_trip_changes_exactly_the_targets_changed_and_a_second_import_is_a_no_op(api, make_client, fmt):
    make_pricing(api)
    translator = make_client(role="translator")
    text = export(translator, fmt).content.decode()
    changed = set_targets(fmt, text, {f"{key()}/title": "Tarifs", f"{key()}/plans[0].name": "Essentiel"})
    revisions = revisions_of("pricing", "fr")

    dry = import_(translator, fmt, changed, dry_run=True)
    assert dry.status_code == 200, dry.json()
    assert dry.json()["data"]["applied"] == [f"{key()}/title", f"{key()}/plans[0].name"]
    assert revisions_of("pricing", "fr") == revisions  # a dry run writes nothing

    response = import_(translator, fmt, changed)
    assert response.status_code == 200, response.json()
    untouched = [f"{key()}/{path}" for path in UNITS if path not in ("title", "plans[0].name")]
    assert response.json()["data"] == empty_report(
        applied=[f"{key()}/title", f"{key()}/plans[0].name"],
        skipped=[{"id": unit, "reason": "No target: nothing translated."} for unit in untouched],
    )
    fr = SiteBlock.objects.get(slug="pricing", locale="fr")
    expected = {**PRICING_DATA, "title": "Tarifs", "plans": [dict(plan) for plan in PRICING_DATA["plans"]]}
    expected["plans"][0]["name"] = "Essentiel"
    assert fr.data == expected
    assert revisions_of("pricing", "fr") == revisions + 1  # one revision for the block
    assert translations(translator)["fields"]["translated"] == ["title", "plans[0].name"]

    version = fr.version
    again = import_(translator, fmt, changed)
    assert again.json()["data"]["applied"] == []
    assert again.json()["data"]["unchanged"] == [f"{key()}/title", f"{key()}/plans[0].name"]
    assert SiteBlock.objects.get(pk=fr.pk).version == version
    assert revisions_of("pricing", "fr") == revisions + 1


def test_a_target_left_as_the_copied_value_and_not_fuzzy_is_kept(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    text = set_targets("po", export(translator, "po").content.decode(), {f"{key()}/plans[1].name": "Pro"})
    response = import_(translator, "po", text)
    assert response.json()["data"]["kept"] == [f"{key()}/plans[1].name"]
    assert translations(translator)["fields"]["translated"] == ["plans[1].name"]
    assert import_(translator, "po", text).json()["data"]["unchanged"] == [f"{key()}/plans[1].name"]


def make_story(api) -> str:
    schema = [{"name": "body", "type": "richtext", "label": "Body", "help": "The main text.", "maxLength": 500}]
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Story", "type": "global", "schema": schema, "data": {"body": BODY}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert api.post("/api/v1/site-blocks/story/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    return str(SiteBlock.objects.get(slug="story", locale="en").translation_key)


FRENCH = {"See": "Voir", "our plans": "nos offres", "one": "un", "two": "deux"}
FRENCH_BODY = (
    '<p>Voir <a href="https://example.com/plans" rel="noopener noreferrer">nos offres</a>:</p>'
    "<ul><li>un</li><li>deux</li></ul>"
)


def translated_copy(element):
    """A copy of a `<source>` element with its text translated and its inline codes kept, as a tool does."""
    copied = copy.deepcopy(element)
    copied.tag = copied.tag.replace("source", "target")
    for node in copied.iter():
        for attribute in ("text", "tail") if node is not copied else ("text",):
            value = getattr(node, attribute)
            for english, french in FRENCH.items():
                value = value.replace(english, french) if value else value
            setattr(node, attribute, value)
    return copied


def test_rich_text_travels_as_html_text_in_po_and_survives_byte_identical(api):
    story = make_story(api)
    text = export(api, "po", url="/api/v1/site-blocks/story/translations/export").content.decode()
    unit = units_of("po", text)[f"{story}/body"]
    assert unit.source == BODY  # PO has no inline codes: the HTML is the text
    assert unit.getnotes("developer").splitlines()[:3] == ["label: Body", "help: The main text.", "maxLength: 500"]
    response = import_(api, "po", set_targets("po", text, {f"{story}/body": FRENCH_BODY}))
    assert response.json()["data"]["applied"] == [f"{story}/body"], response.json()
    assert SiteBlock.objects.get(slug="story", locale="fr").data["body"] == FRENCH_BODY


def test_rich_text_travels_as_g_and_x_codes_in_xliff_12_and_survives_byte_identical(api):
    story = make_story(api)
    text = export(api, "xliff", url="/api/v1/site-blocks/story/translations/export").content.decode()
    store = parse("xliff", text)
    unit = next(unit for unit in store.units if unit_id(unit, "xliff") == f"{story}/body")
    assert unit.source == "See our plans:onetwo"  # translate-toolkit reads the text; the markup is codes
    source = unit.getlanguageNode(lang=None, index=0)
    assert [(child.tag.split("}")[1], child.get("id"), child.get("ctype")) for child in source.iter()][1:] == [
        ("g", "1", "x-html-p"),
        ("g", "2", "link"),
        ("g", "3", "x-html-ul"),
        ("g", "4", "x-html-li"),
        ("g", "5", "x-html-li"),
    ]
    notes = unit.getnotes("developer").splitlines()
    assert notes[4] == "format: html"
    assert notes[5].startswith('codes: {"1":["<p>","</p>"],"2":["<a href=\\"https://example.com/plans\\"')
    source.addnext(translated_copy(source))
    response = import_(api, "xliff", bytes(store).decode())
    assert response.json()["data"]["applied"] == [f"{story}/body"], response.json()
    assert SiteBlock.objects.get(slug="story", locale="fr").data["body"] == FRENCH_BODY
    again = export(api, "xliff", url="/api/v1/site-blocks/story/translations/export").content.decode()
    target = units_of("xliff", again)[f"{story}/body"].getlanguageNode(lang=None, index=1)
    assert "".join(target.itertext()) == "Voir nos offres:undeux"
    assert [child.get("id") for child in target.iter()][1:] == ["1", "2", "3", "4", "5"]  # the source's ids


def test_an_invalid_unit_is_refused_with_its_id_and_path_and_nothing_of_its_block_is_written(api):
    make_pricing(api)
    schema = [{"name": "heading", "type": "string", "maxLength": 5}]
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": schema, "data": {"heading": "Hi"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert api.post("/api/v1/site-blocks/hero/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    hero = str(SiteBlock.objects.get(slug="hero", locale="en").translation_key)
    text = export(api, "po").content.decode()
    pricing_before = SiteBlock.objects.get(slug="pricing", locale="fr").version
    changed = set_targets(
        "po",
        text,
        {f"{key()}/title": "Tarifs", f"{key()}/plans[1].name": "x" * 300, f"{hero}/heading": "Salut"},
    )
    response = import_(api, "po", changed)
    assert response.status_code == 200, response.json()
    report = response.json()["data"]
    assert report["applied"] == [f"{hero}/heading"]
    assert report["invalid"] == [
        {"id": f"{key()}/plans[1].name", "path": "plans[1].name", "message": "Must be at most 255 characters long."}
    ]
    assert {"id": f"{key()}/title", "reason": "Another unit of this block is invalid."} in report["skipped"]
    assert report["counts"] == {"applied": 1, "kept": 0, "unchanged": 0, "outdated": 0, "invalid": 1, "skipped": 4}
    assert SiteBlock.objects.get(slug="pricing", locale="fr").version == pricing_before
    assert SiteBlock.objects.get(slug="hero", locale="fr").data == {"heading": "Salut"}


def test_units_whose_source_changed_since_the_export_are_reported_outdated_not_applied(api):
    make_pricing(api)
    text = export(api, "xliff").content.decode()
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    changed = set_targets("xliff", text, {f"{key()}/title": "Tarifs", f"{key()}/plans[0].name": "Essentiel"})
    report = import_(api, "xliff", changed).json()["data"]
    assert report["outdated"] == [f"{key()}/title"]
    assert report["applied"] == [f"{key()}/plans[0].name"]
    assert SiteBlock.objects.get(slug="pricing", locale="fr").data["title"] == "Pricing"


def test_refusals_are_envelopes_naming_the_field(api, make_client):
    make_pricing(api)
    response = api.get("/api/v1/translations/export?locale=fr&format=xliff3")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "bad_request",
            "message": "Invalid query parameters.",
            "fields": {"format": "Required: `xliff2` (XLIFF 2.1), `xliff` (XLIFF 1.2) or `po`."},
        }
    }
    response = api.get("/api/v1/translations/export?locale=en&format=po")
    assert response.json()["error"]["fields"] == {"locale": "`en` is the source locale: translations go to another."}
    response = import_(api, "po", 'msgid "never closed')
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["content"]
    response = api.post("/api/v1/translations/import?format=po", {"content": 5}, format="json")
    assert response.json()["error"]["fields"] == {"content": "Must be the file's text (XLIFF or PO), as a string."}
    viewer = make_client(role="viewer")  # may read the values, so may export them; not import
    assert viewer.get("/api/v1/translations/export?locale=fr&format=po").status_code == 200
    response = import_(viewer, "po", export(api).content.decode())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_unit_of_no_block_of_this_site_is_invalid(api):
    make_pricing(api)
    text = export(api, "po").content.decode().replace(key(), "00000000-0000-0000-0000-000000000000")
    text = set_targets("po", text, {"00000000-0000-0000-0000-000000000000/title": "Tarifs"})
    report = import_(api, "po", text).json()["data"]
    assert report["invalid"][0] == {
        "id": "00000000-0000-0000-0000-000000000000/title",
        "path": "title",
        "message": "No block of this site.",
    }


def test_site_export_and_import_query_counts_stay_flat(api):
    make_pricing(api)
    with CaptureQueriesContext(connection) as one:
        text = export(api, "po").content.decode()
    with CaptureQueriesContext(connection) as one_import:
        assert import_(api, "po", text).json()["data"]["counts"]["skipped"] == 5
    for index in range(3):
        data = {**PRICING_DATA, "title": f"Pricing {index}"}
        body = {"name": f"P{index}", "type": "page", "path": f"/p{index}", "schema": PRICING_SCHEMA, "data": data}
        assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
        assert api.post(f"/api/v1/site-blocks/p{index}/copy-to-locale", {"locale": "fr"}, format="json").status_code
    with CaptureQueriesContext(connection) as four:
        bigger = export(api, "po").content.decode()
    assert len(four) == len(one)
    assert len(units_of("po", bigger)) == 4 * len(units_of("po", text))
    with CaptureQueriesContext(connection) as unchanged:
        assert import_(api, "po", bigger).json()["data"]["counts"]["skipped"] == 20
    assert len(unchanged) == len(one_import)


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_commands_export_and_import_the_demo_site(tmp_path, settings, fmt):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    out = tmp_path / f"demo.{fmt}"
    call_command("export_translations", "demo", "--locale", "fr", "--format", fmt, "-o", str(out), stdout=StringIO())
    units = units_of(fmt, out.read_text())
    assert len(units) > 5
    assert all(unit.target for unit in units.values())  # the demo's French blocks are translated
    printed = StringIO()
    call_command("import_translations", "demo", str(out), "--format", fmt, stdout=printed)
    assert f"unchanged {len(units)}" in printed.getvalue()
    assert "applied 0" in printed.getvalue()


def test_an_xliff_file_with_an_external_entity_does_not_read_the_server_s_files(api, tmp_path):
    make_pricing(api)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = export(api, "xliff").content.decode()
    text = text.replace(
        "<xliff xmlns=", f'<!DOCTYPE xliff [<!ENTITY leak SYSTEM "file://{secret}">]>\n<xliff xmlns=', 1
    )
    text = set_targets("xliff", text, {f"{key()}/title": "PLACEHOLDER"}).replace("PLACEHOLDER", "&leak;")
    assert "<!DOCTYPE" in text and "&leak;" in text
    response = import_(api, "xliff", text)
    assert response.status_code == 200, response.json()
    # The entity is left unresolved (translate-toolkit parses with `resolve_entities=False`): no text at all.
    assert response.json()["data"]["skipped"][0] == {"id": f"{key()}/title", "reason": "No target: nothing translated."}
    assert "TOP-SECRET" not in str(SiteBlock.objects.get(slug="pricing", locale="fr").data)
    assert "TOP-SECRET" not in response.content.decode()


def test_a_unit_for_a_shared_field_is_invalid_and_its_block_is_not_written(api):
    """A tool cannot change a shared value (`discount`) through a file: it is not a unit of the block."""
    make_pricing(api)
    text = set_targets("po", export(api, "po").content.decode(), {f"{key()}/title": "Tarifs"})
    text = text.replace(f'msgctxt "{key()}/title"', f'msgctxt "{key()}/discount"')
    version = SiteBlock.objects.get(slug="pricing", locale="fr").version
    report = import_(api, "po", text).json()["data"]
    assert report["invalid"] == [
        {
            "id": f"{key()}/discount",
            "path": "discount",
            "message": "Not a localized field the `en` source has a value for.",
        }
    ]
    assert SiteBlock.objects.get(slug="pricing", locale="fr").version == version


def test_an_outdated_unit_still_flagged_stays_outdated_and_one_the_tool_signed_off_is_kept(api):
    make_pricing(api)
    put = api.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Tarifs"}}, format="json")
    assert put.status_code == 200, put.json()
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    text = export(api, "xliff").content.decode()
    assert '<target state="needs-translation">Tarifs</target>' in text
    assert import_(api, "xliff", text).json()["data"]["unchanged"] == [f"{key()}/title"]
    assert translations(api)["fields"]["outdated"] == ["title"]

    signed_off = text.replace('<target state="needs-translation">Tarifs', '<target state="translated">Tarifs')
    assert import_(api, "xliff", signed_off).json()["data"]["kept"] == [f"{key()}/title"]
    assert translations(api)["fields"]["translated"] == ["title"]
