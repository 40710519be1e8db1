"""Issue 18, item 7: schema files. `schema_diff --export` writes the content model, `schema_diff FILE` compares
(a dry run), `schema_apply FILE [--dry-run]` applies it atomically with the API's diff, conversions and orphans."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blocks import events
from blocks.models import SiteBlock
from revisions.models import BlockRevision

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/site-blocks"
PROMO = [
    {"name": "title", "type": "string"},
    {"name": "intro", "type": "string"},
    {"name": "price", "type": "number"},
]
FOOTER = [{"name": "note", "type": "text"}]


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def stored() -> list:
    rows = SiteBlock.objects.order_by("pk").values_list("pk", "version", "schema", "data", "translation_hashes")
    return [*rows, BlockRevision.objects.count()]


@pytest.fixture
def blocks(api):
    data = {"title": "Sale", "intro": "Hello", "price": 10}
    ok(api.post(BLOCKS, {"name": "Promo", "type": "global", "schema": PROMO, "data": data}, format="json"), 201)
    ok(api.post(f"{BLOCKS}/promo/copy-to-locale", {"locale": "fr"}, format="json"))
    ok(api.put(f"{BLOCKS}/promo/data?locale=fr", {"data": {"intro": "Bonjour"}}, format="json"))
    ok(api.post(BLOCKS, {"name": "Footer", "type": "global", "schema": FOOTER}, format="json"), 201)


@pytest.fixture
def exported(blocks, tmp_path) -> dict:
    path = tmp_path / "schemas.json"
    run("schema_diff", "--export", "-o", str(path))
    return json.loads(path.read_text())


def write(tmp_path, document: dict) -> str:
    path = tmp_path / "target.json"
    path.write_text(json.dumps(document))
    return str(path)


def edited(exported: dict) -> dict:
    """intro → hero.lede (a rename and a move), price number → string; the footer as it is. The new field has
    its id in the file, so what is applied is the file exactly (a dry run and the write agree on it)."""
    document = json.loads(json.dumps(exported))
    title, intro, price = document["sites"]["acme"]["blocks"]["promo"]["schema"]
    document["sites"]["acme"]["blocks"]["promo"]["schema"] = [
        title,
        {"id": "hero-group", "name": "hero", "type": "object", "fields": [{**intro, "name": "lede"}]},
        {**price, "type": "string"},
    ]
    return document


def test_export_writes_every_block_with_its_field_ids(exported, api):
    promo = ok(api.get(f"{BLOCKS}/promo"))["data"]["schema"]
    footer = ok(api.get(f"{BLOCKS}/footer"))["data"]["schema"]
    assert exported == {
        "format": "cms-schemas/1",
        "sites": {"acme": {"blocks": {"footer": {"schema": footer}, "promo": {"schema": promo}}}},
    }
    assert all("id" in field for field in promo)


def test_an_exported_file_applies_as_no_change(exported, tmp_path):
    before = stored()
    out = run("schema_apply", write(tmp_path, exported))
    assert out.splitlines() == ["acme/footer: unchanged", "acme/promo: unchanged", "Changed 0 block(s); 2 unchanged."]
    assert stored() == before


def test_diff_and_dry_run_report_and_write_nothing_then_apply_does_what_they_said(exported, tmp_path, api):
    target = write(tmp_path, edited(exported))
    before = stored()
    report = run("schema_diff", target)
    assert stored() == before
    assert report.splitlines() == [
        "acme/footer: unchanged",
        "acme/promo: 3 field change(s)",
        "    added: hero",
        "    renamed, moved: intro -> hero.lede",
        "    typeChanged: price (number -> string)",
        "  en: 2 value(s)",
        "      moved      intro -> hero.lede",
        "      converted  price: number -> string",
        "  fr: 2 value(s)",
        "      moved      intro -> hero.lede",
        "      converted  price: number -> string",
        "Would change 1 block(s); 1 unchanged. Dry run: nothing written.",
    ]
    with pytest.raises(CommandError, match=r"Some blocks differ from the file\.") as raised:
        run("schema_diff", target, "--check")
    assert raised.value.returncode == 1
    assert run("schema_apply", target, "--dry-run") == report
    assert stored() == before
    dry = json.loads(run("schema_apply", target, "--dry-run", "--json"))

    applied = json.loads(run("schema_apply", target, "--json"))
    assert applied["dryRun"] is False
    # the dry run predicted exactly what the write did
    for predicted, done in zip(dry["blocks"], applied["blocks"], strict=True):
        assert {**predicted["schemaChange"], "dryRun": False} == done["schemaChange"]
    en = ok(api.get(f"{BLOCKS}/promo"))["data"]
    fr = ok(api.get(f"{BLOCKS}/promo?locale=fr"))["data"]
    assert en["data"] == {"title": "Sale", "hero": {"lede": "Hello"}, "price": "10"}
    assert fr["data"] == {"title": "Sale", "hero": {"lede": "Bonjour"}, "price": "10"}
    assert en["schema"] == fr["schema"] == edited(exported)["sites"]["acme"]["blocks"]["promo"]["schema"]
    assert BlockRevision.objects.count() == before[-1] + 2  # one per copy of the promo; the footer untouched
    assert run("schema_diff", target, "--check").splitlines()[-1].startswith("Would change 0 block(s)")


def test_every_problem_of_a_file_is_listed_and_nothing_is_written(exported, tmp_path):
    document = edited(exported)
    document["sites"]["acme"]["blocks"]["footer"]["schema"][0]["type"] = "nope"
    document["sites"]["acme"]["blocks"]["ghost"] = {"schema": []}
    document["sites"]["globex"] = {"blocks": {}}
    document["extra"] = 1
    before = stored()
    with pytest.raises(CommandError) as raised:
        run("schema_apply", write(tmp_path, document))
    assert str(raised.value).splitlines() == [
        f"{tmp_path / 'target.json'}: The schema file is not valid; nothing was changed.",
        "  extra: Unknown key.",
        "  sites.acme.blocks.footer.schema[0].type: Unknown type 'nope'; one of array, boolean, color, dataSource, "
        "date, datetime, email, file, image, multiselect, number, object, richtext, select, string, text, url.",
        "  sites.acme.blocks.ghost: No block `ghost` in site `acme`.",
        "  sites.globex: No site `globex`.",
    ]
    assert stored() == before


def test_a_failure_in_one_block_writes_no_block(exported, tmp_path, subscribe):
    document = edited(exported)
    document["sites"]["acme"]["blocks"]["footer"]["schema"].append({"name": "more", "type": "string"})
    before = stored()

    def fail(batch):
        raise RuntimeError("the outbox is gone")

    subscribe(events.recorded, fail)
    with pytest.raises(RuntimeError):
        run("schema_apply", write(tmp_path, document))
    assert stored() == before


def test_a_file_that_is_not_json_or_not_there_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CommandError, match=r"bad.json is not JSON"):
        run("schema_apply", str(bad))
    with pytest.raises(CommandError, match=r"Cannot read .*missing.json: No such file or directory."):
        run("schema_diff", str(tmp_path / "missing.json"))
