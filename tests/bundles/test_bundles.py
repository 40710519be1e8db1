"""Site bundles through their public surface: `export_site` / `import_site` and `/api/v1/site/export|import`.

The round trip is the contract: the demo site with an uploaded PNG used in an image field, unpublished changes
and revisions, exported, the database emptied (`flush`), imported, exported again: the two trees are
byte-identical; a second import changes nothing (no version bump, no revision).
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision, Version

from accounts.models import Site
from blocks.models import SiteBlock
from locales.models import Locale, SiteLocale
from media.models import Asset
from revisions.models import BlockRevision
from tests.conftest import client_with, issue_token
from tests.media.files import png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo site, an owner's API client, a PNG asset used by the header's logo (published), and an
    unpublished change on the about page (its working copy differs from what is live)."""
    settings.BASE_DIR = tmp_path
    run("seed_demo")
    site = Site.objects.get(slug="demo")
    _, secret = issue_token(site, username="olga", role="owner", scopes=("read", "write", "publish"))
    api = client_with(secret)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = api.post(
            "/api/v1/assets",
            {"filename": "logo.png", "contentBase64": base64.b64encode(png(8, 6)).decode(), "alt": {"en": "Logo"}},
            format="json",
        )
    assert uploaded.status_code == 201, uploaded.json()
    asset_id = uploaded.json()["data"]["id"]
    answer = api.put(
        "/api/v1/site-blocks/header/data?publish=true",
        {"data": {"logo": {"asset": asset_id, "alt": "Demo"}}},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    answer = api.put("/api/v1/site-blocks/about/data", {"data": {"title": "About us, soon"}}, format="json")
    assert answer.status_code == 200, answer.json()
    return {"site": site, "api": api, "asset": asset_id}


def empty_the_instance() -> None:
    """Every content row gone, as on a fresh instance (`flush` cannot run inside the test's transaction). The
    people stay: revisions name their authors by username, and the other instance has its own users."""
    Site.objects.all().delete()  # blocks, assets, locales of sites, memberships, tokens, block revisions
    Revision.objects.all().delete()
    Locale.objects.all().delete()
    for model in (Site, SiteBlock, Asset, BlockRevision, Revision, Version, Locale, SiteLocale):
        assert not model.objects.exists(), model


def versions() -> dict[tuple[str, str], int]:
    return {(b.locale, b.slug): b.version for b in SiteBlock.objects.all()}


def test_export_import_export_is_byte_identical_and_a_second_import_changes_nothing(demo, tmp_path):
    first = tmp_path / "first"
    run("export_site", "demo", str(first), revisions=True)
    files = tree(first)
    header = json.loads(files["blocks/en/header.json"])
    [asset] = json.loads(files["assets.json"])
    assert header["data"]["logo"] == {"asset": asset["key"], "alt": "Demo"}  # the id became the stable key
    assert header["publishedSnapshot"]["data"]["logo"]["asset"] == asset["key"]
    assert files[asset["file"]] == Path(Asset.objects.get().file.path).read_bytes()
    about = json.loads(files["blocks/en/about.json"])
    assert about["data"]["title"] == "About us, soon" and about["publishedSnapshot"]["data"]["title"] == "About us"
    assert len(json.loads(files["revisions/en/header.json"])) >= 2
    assert all(content.endswith(b"\n") for name, content in files.items() if name.endswith(".json"))
    assert not any(b'"id"' in files[name] for name in ("site.json", "locales.json", "assets.json"))  # no row ids
    assert not any(str(tmp_path).encode() in content for content in files.values())  # no local paths

    empty_the_instance()

    out = run("import_site", str(first))
    assert "blocks: 6 created, 0 updated, 0 unchanged" in out
    assert "assets: 1 created, 0 updated, 0 unchanged" in out
    assert "site: 1 created" in out and "revisions: 6 created" in out
    second = tmp_path / "second"
    run("export_site", "demo", str(second), revisions=True)
    assert tree(second) == files

    before, revisions = versions(), BlockRevision.objects.count()
    again = run("import_site", str(first))
    for kind in ("site", "locales", "assets", "blocks", "revisions"):
        assert f"{kind}: 0 created, 0 updated" in again
    assert versions() == before and BlockRevision.objects.count() == revisions


def test_import_without_revisions_updates_by_key_and_records_the_import(demo, tmp_path):
    bundle = tmp_path / "bundle"
    run("export_site", "demo", str(bundle))
    assert not any(name.startswith("revisions/") for name in tree(bundle))
    path = bundle / "blocks/fr/footer.json"
    footer = json.loads(path.read_text())
    footer["name"] = "Bas de page, importé"
    path.write_text(json.dumps(footer))
    history = BlockRevision.objects.filter(block__slug="footer", block__locale="fr").count()

    out = run("import_site", str(bundle))
    assert "updated  blocks    fr/footer" in out
    assert "blocks: 0 created, 1 updated, 5 unchanged" in out
    block = SiteBlock.objects.get(slug="footer", locale="fr")
    assert block.name == "Bas de page, importé" and block.status == "published"
    latest = BlockRevision.objects.filter(block=block).order_by("-number").first()
    assert latest.comment == "Imported from a site bundle" and latest.number == history + 1


def test_a_bundle_goes_into_another_site_created_for_it_and_export_refuses_a_used_folder(demo, tmp_path):
    bundle = tmp_path / "bundle"
    run("export_site", "demo", str(bundle), revisions=True)
    with pytest.raises(CommandError) as refused:
        run("export_site", "demo", str(bundle))
    assert str(refused.value) == f"Not exported: {bundle} exists and is not an empty folder. dir: Not empty."

    out = run("import_site", str(bundle), site="demo-staging")
    assert "created  site      demo-staging" in out and "blocks: 6 created" in out
    copy = tmp_path / "copy"
    run("export_site", "demo-staging", str(copy), revisions=True)
    original, copied = tree(bundle), tree(copy)
    assert json.loads(copied.pop("site.json")) == {**json.loads(original.pop("site.json")), "slug": "demo-staging"}
    keys = {}
    for name in [name for name in original if name.startswith("blocks/")]:
        mine, theirs = json.loads(original.pop(name)), json.loads(copied.pop(name))
        # translation keys are unique per instance: the second site's are derived from the bundle's, one per group
        keys.setdefault(mine.pop("translationKey"), set()).add(theirs.pop("translationKey"))
        assert theirs == mine, name
    assert all(len(derived) == 1 and original not in derived for original, derived in keys.items())
    assert copied == original  # assets, locales, histories
    again = run("import_site", str(bundle), site="demo-staging")
    assert "blocks: 0 created, 0 updated, 6 unchanged" in again and "revisions: 0 created, 0 updated" in again
    staging = Site.objects.get(slug="demo-staging")
    logo = SiteBlock.objects.get(site=staging, slug="header", locale="en").data["logo"]["asset"]
    assert Asset.objects.get(pk=logo).site == staging and logo != demo["asset"]  # the key became the new id


def test_dry_run_reports_the_changes_and_writes_nothing(demo, tmp_path):
    bundle = tmp_path / "bundle"
    run("export_site", "demo", str(bundle), revisions=True)
    about = json.loads((bundle / "blocks/en/about.json").read_text())
    about["data"]["title"] = "Changed elsewhere"
    (bundle / "blocks/en/about.json").write_text(json.dumps(about))
    SiteBlock.objects.filter(slug="header").delete()  # the header (both locales) must be created again
    Asset.objects.all().delete()
    before, revisions, files = versions(), BlockRevision.objects.count(), list((tmp_path / "media").rglob("*.png"))

    out = run("import_site", str(bundle), dry_run=True)
    assert "dry run: nothing written" in out
    assert "created  blocks    en/header" in out and "updated  blocks    en/about" in out
    assert "blocks: 2 created, 1 updated, 3 unchanged" in out and "assets: 1 created" in out
    assert versions() == before and BlockRevision.objects.count() == revisions
    assert not Asset.objects.exists()
    assert list((tmp_path / "media").rglob("*.png")) == files  # the stored bytes were removed again


def test_another_format_version_is_refused_with_both_versions_named(demo, tmp_path):
    bundle = tmp_path / "bundle"
    run("export_site", "demo", str(bundle))
    (bundle / "manifest.json").write_text('{"format": "cms-site-bundle", "formatVersion": 2}\n')
    with pytest.raises(CommandError) as refused:
        run("import_site", str(bundle))
    assert str(refused.value) == (
        "Not imported: This bundle is format version 2; this instance reads format version 1 only. Export it "
        "again with a matching version of the CMS. manifest.json:formatVersion: Must be 1."
    )


def test_corrupt_json_and_invalid_values_are_refused_naming_file_and_path_and_nothing_is_written(demo, tmp_path):
    bundle = tmp_path / "bundle"
    run("export_site", "demo", str(bundle))
    (bundle / "blocks/fr/about.json").write_text('{"name": ')
    with pytest.raises(CommandError) as refused:
        run("import_site", str(bundle))
    assert str(refused.value).startswith("Not imported: `blocks/fr/about.json` is not valid JSON:")

    shutil.rmtree(bundle)
    run("export_site", "demo", str(bundle))
    footer = json.loads((bundle / "blocks/en/footer.json").read_text())
    footer["data"]["accent"] = "teal"  # not a colour
    footer["name"] = "Renamed, but the import fails later"
    (bundle / "blocks/en/footer.json").write_text(json.dumps(footer))
    header = json.loads((bundle / "blocks/en/header.json").read_text())
    header["name"] = "Header, renamed"  # imported before the footer fails: rolled back with it
    (bundle / "blocks/en/header.json").write_text(json.dumps(header))
    before = versions()
    with pytest.raises(CommandError) as refused:
        run("import_site", str(bundle))
    assert str(refused.value) == (
        "Not imported: `blocks/en/footer.json` cannot be imported: The request did not validate. "
        "blocks/en/footer.json:data.accent: Must be a colour as #RGB, #RRGGBB or #RRGGBBAA."
    )
    assert versions() == before and SiteBlock.objects.get(slug="header", locale="en").name == "Header"

    shutil.rmtree(bundle)
    run("export_site", "demo", str(bundle))
    header = json.loads((bundle / "blocks/fr/header.json").read_text())
    header["data"]["logo"] = {"asset": "f" * 64, "alt": "Logo"}
    (bundle / "blocks/fr/header.json").write_text(json.dumps(header))
    with pytest.raises(CommandError) as refused:
        run("import_site", str(bundle))
    assert str(refused.value) == (
        f"Not imported: `blocks/fr/header.json` names an asset the bundle does not carry: `{'f' * 64}`. "
        f"blocks/fr/header.json:data.logo.asset: No asset `{'f' * 64}` in assets.json."
    )

    (bundle / "notes.txt").write_text("hello")
    with pytest.raises(CommandError) as refused:
        run("import_site", str(bundle))
    assert "notes.txt: Not a file of a site bundle" in str(refused.value)


def test_export_reads_a_fixed_number_of_queries_whatever_the_site_holds(demo, tmp_path):
    def count(folder: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            run("export_site", "demo", str(tmp_path / folder), revisions=True)
        return len(queries)

    small = count("small")
    for index in range(5):
        answer = demo["api"].post(
            "/api/v1/site-blocks",
            {
                "name": f"Extra {index}",
                "type": "global",
                "schema": [{"name": f"f{n}", "type": "string", "label": "F"} for n in range(10)],
                "data": {f"f{n}": "x" for n in range(10)},
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    assert count("large") == small


def test_import_queries_grow_with_blocks_not_with_fields(demo, tmp_path):
    def blocks(count: int, fields: int) -> Path:
        folder = tmp_path / f"b{count}-{fields}"
        run("export_site", "demo", str(folder))
        for index in range(count):
            (folder / f"blocks/en/extra-{index}.json").write_text(
                json.dumps(
                    {
                        "translationKey": f"00000000-0000-4000-8000-{index:012d}",
                        "locale": "en",
                        "slug": f"extra-{index}",
                        "name": f"Extra {index}",
                        "type": "global",
                        "path": None,
                        "tags": [],
                        "status": "draft",
                        "schema": [{"name": f"f{n}", "type": "string", "label": "F"} for n in range(fields)],
                        "data": {f"f{n}": "x" for n in range(fields)},
                        "publishedSnapshot": None,
                        "translationHashes": {},
                    }
                )
            )
        return folder

    def queries(folder: Path) -> int:
        with CaptureQueriesContext(connection) as captured:
            run("import_site", str(folder), dry_run=True)
        return len(captured)

    one_field, many_fields = queries(blocks(2, 1)), queries(blocks(2, 40))
    assert many_fields == one_field  # fields cost no queries
    per_block = (queries(blocks(4, 1)) - one_field) / 2
    assert per_block <= 12, per_block


def test_owners_export_and_import_over_the_api(demo):
    api = demo["api"]
    answer = api.get("/api/v1/site/export?revisions=true")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = archive.namelist()
    assert names == sorted(names) and "manifest.json" in names and "revisions/en/header.json" in names
    assert api.get("/api/v1/site/export?revisions=true").content == answer.content  # deterministic

    body = {"bundle": base64.b64encode(answer.content).decode()}
    dry = api.post("/api/v1/site/import?dryRun=true", body, format="json")
    assert dry.status_code == 200, dry.json()
    report = dry.json()["data"]
    assert report["dryRun"] is True and report["changes"] == [] and report["site"] == "demo"
    assert report["counts"]["blocks"] == {"created": 0, "updated": 0, "unchanged": 6}

    SiteBlock.objects.filter(slug="footer", locale="fr").update(name="Changed here")
    done = api.post("/api/v1/site/import", body, format="json")
    assert done.json()["data"]["changes"] == [
        {"kind": "blocks", "key": "fr/footer", "outcome": "updated"},
        {"kind": "revisions", "key": "fr/footer", "outcome": "updated"},
    ]
    assert SiteBlock.objects.get(slug="footer", locale="fr").name != "Changed here"


def test_the_api_refuses_non_owners_bad_bodies_and_other_versions(demo, settings):
    _, secret = issue_token(demo["site"], username="ed", role="editor")
    editor = client_with(secret)
    refused = editor.get("/api/v1/site/export")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "forbidden", "message": "Only the site's owners export or import bundles."}
    }
    api = demo["api"]
    bad = api.post("/api/v1/site/import", {"bundle": "not base64!"}, format="json")
    assert bad.status_code == 422
    assert bad.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {"bundle": "Must be base64."},
        }
    }
    not_zip = api.post("/api/v1/site/import", {"bundle": base64.b64encode(b"hello").decode()}, format="json")
    assert not_zip.status_code == 422
    assert not_zip.json() == {
        "error": {
            "code": "invalid_bundle",
            "message": "The body is not a zip archive of a site bundle.",
            "fields": {"bundle": "Not a zip."},
        }
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", '{"format": "cms-site-bundle", "formatVersion": 7}')
    other = api.post("/api/v1/site/import", {"bundle": base64.b64encode(buffer.getvalue()).decode()}, format="json")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "unsupported_bundle_version"
    assert other.json()["error"]["fields"] == {"manifest.json:formatVersion": "Must be 1."}
    unknown = api.post("/api/v1/site/import?dryrun=1", {"bundle": ""}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"] == {"dryrun": "Unknown query parameter."}

    settings.CMS = {**settings.CMS, "MEDIA_MAX_UPLOAD_BYTES": 1000, "MAX_BODY_BYTES": 1000}  # 65 KiB for a bundle
    too_big = api.post("/api/v1/site/import", {"bundle": "A" * 70_000}, format="json")
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
