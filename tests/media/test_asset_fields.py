"""`image` and `file` fields that point at assets: checked on write, resolved in answers, guarded on delete,
and followed by the delivery API when an asset's file is replaced. All through HTTP."""

from __future__ import annotations

import base64

import pytest

from blocks.assets import MISSING_ASSET
from blocks.models import SiteBlock
from media.models import Asset
from tests.ids import without_ids
from tests.media.files import PDF, SVG_WITH_SCRIPT, png

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "logo", "type": "image", "requireAlt": True},
    {"name": "gallery", "type": "array", "items": {"type": "image"}},
    {"name": "brochure", "type": "file", "accept": [".pdf"], "maxSize": 5000},
]


@pytest.fixture
def logo(api, upload):
    response = upload(api, "logo.png", png(4, 3), "image/png", **{"alt.en": "Acme logo", "alt.fr": "Logo d'Acme"})
    assert response.status_code == 201
    return response.json()["data"]


@pytest.fixture
def make_block(api, commit):
    def make(slug: str, data: dict, *, publish: bool = True) -> dict:
        response = commit(
            lambda: api.post(
                "/api/v1/site-blocks",
                {"name": slug.title(), "slug": slug, "type": "global", "schema": SCHEMA, "data": data},
                format="json",
            )
        )
        assert response.status_code == 201, response.content
        if publish:
            assert commit(lambda: api.post(f"/api/v1/site-blocks/{slug}/publish")).status_code == 200
        return response.json()

    return make


def resolved(asset: dict, alt: str) -> dict:
    return {
        "asset": asset["id"],
        "url": asset["url"],
        "mimeType": "image/png",
        "size": asset["size"],
        "name": "logo.png",
        "width": 4,
        "height": 3,
        "renditions": [],  # narrower than every srcset width
        "color": "#c81e1e",
        "alt": alt,
    }


def test_answers_show_the_reference_resolved_in_the_answers_locale(api, client, logo, make_block, commit):
    created = make_block(
        "header", {"title": "Hi", "logo": {"asset": logo["id"]}, "gallery": [{"asset": logo["id"], "alt": "Own"}]}
    )
    assert created["data"]["data"]["logo"] == resolved(logo, "Acme logo")
    assert created["data"]["data"]["gallery"] == [resolved(logo, "Own")]
    assert SiteBlock.objects.get(slug="header").data["logo"] == {"asset": logo["id"]}  # stored as a reference
    got = api.get("/api/v1/site-blocks/header").json()["data"]["data"]
    assert got["logo"] == resolved(logo, "Acme logo")

    delivered = client.get("/api/v1/delivery/acme/blocks/header").json()["data"]["data"]
    assert delivered["logo"] == resolved(logo, "Acme logo")
    # the French copy falls back to nothing of its own: the asset's French alt text
    assert (
        commit(
            lambda: api.post("/api/v1/site-blocks/header/copy-to-locale", {"locale": "fr"}, format="json")
        ).status_code
        == 200
    )
    assert commit(lambda: api.post("/api/v1/site-blocks/header/publish?locale=fr")).status_code == 200
    french = client.get("/api/v1/delivery/acme/blocks/header?locale=fr").json()["data"]["data"]
    assert french["logo"] == resolved(logo, "Logo d'Acme")
    # the alt text changes in fr: the delivery answer follows at once
    assert (
        commit(
            lambda: api.patch(
                f"/api/v1/assets/{logo['id']}", {"alt": {"en": "Acme logo", "fr": "Le logo"}}, format="json"
            )
        ).status_code
        == 200
    )
    assert (
        client.get("/api/v1/delivery/acme/blocks/header?locale=fr").json()["data"]["data"]["logo"]["alt"] == "Le logo"
    )


def test_a_value_read_can_be_sent_back(api, logo, make_block, commit):
    make_block("header", {"logo": {"asset": logo["id"]}}, publish=False)
    read = api.get("/api/v1/site-blocks/header").json()["data"]["data"]
    response = commit(lambda: api.put("/api/v1/site-blocks/header/data", {"data": read}, format="json"))
    assert response.status_code == 200, response.content
    assert SiteBlock.objects.get(slug="header").data["logo"] == {"asset": logo["id"], "alt": "Acme logo"}


def test_references_that_do_not_fit_are_refused_with_their_paths(api, upload, make_client, other_site, logo):
    foreign = upload(make_client(site_=other_site), "x.png", png(9, 9), "image/png").json()["data"]
    pdf = upload(api, "big.pdf", PDF + b"%" * 6000, "application/pdf").json()["data"]
    bare = upload(api, "bare.png", png(2, 2), "image/png").json()["data"]
    text_file = upload(api, "a.txt", b"hello", "text/plain").json()["data"]
    data = {
        "logo": {"asset": foreign["id"]},
        "gallery": [{"asset": logo["id"]}, {"asset": pdf["id"]}, {"asset": 999999}],
        "brochure": {"asset": pdf["id"]},
    }
    response = api.post(
        "/api/v1/site-blocks", {"name": "Header", "type": "global", "schema": SCHEMA, "data": data}, format="json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The data did not validate.",
            "fields": {
                "data.logo.asset": MISSING_ASSET.format(id=foreign["id"]),
                "data.gallery[1].asset": f"Asset {pdf['id']} is not an image (application/pdf).",
                "data.gallery[2].asset": MISSING_ASSET.format(id=999999),
                "data.brochure": f"The file must be at most 5000 bytes; asset {pdf['id']} has {pdf['size']}.",
            },
        }
    }
    data = {"logo": {"asset": bare["id"]}, "brochure": {"asset": text_file["id"]}}
    response = api.post(
        "/api/v1/site-blocks", {"name": "Header", "type": "global", "schema": SCHEMA, "data": data}, format="json"
    )
    assert response.json()["error"]["fields"] == {
        "data.logo.alt": f"Alt text is required for this image (asset {bare['id']} has none in en).",
        "data.brochure": "File type not accepted; allowed: .pdf.",
    }
    assert not SiteBlock.objects.exists()
    # the value's own alt text meets requireAlt
    data = {"logo": {"asset": bare["id"], "alt": "Square"}}
    response = api.post(
        "/api/v1/site-blocks", {"name": "Header", "type": "global", "schema": SCHEMA, "data": data}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_json_schema_accepts_both_forms(api, make_block, logo):
    make_block("header", {}, publish=False)
    compiled = api.get("/api/v1/site-blocks/header/json-schema").json()["data"]
    logo_schema = compiled["properties"]["logo"]
    assert logo_schema["then"]["required"] == ["asset"] and logo_schema["else"]["required"] == ["url", "alt"]


def test_deleting_a_used_asset_is_refused_with_its_users_unless_forced(api, client, upload, logo, make_block, commit):
    make_block("header", {"logo": {"asset": logo["id"]}})  # working copy and published
    make_block("footer", {"gallery": [{"asset": logo["id"], "alt": "x"}]}, publish=False)
    # a block that used it once: only a revision still does
    make_block("hero", {"logo": {"asset": logo["id"]}}, publish=False)
    assert (
        commit(lambda: api.put("/api/v1/site-blocks/hero/data", {"data": {"logo": None}}, format="json")).status_code
        == 200
    )
    unused = upload(api, "unused.png", png(7, 7), "image/png").json()["data"]

    response = commit(lambda: api.delete(f"/api/v1/assets/{logo['id']}"))
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "asset_in_use",
            "message": f"Asset {logo['id']} is used by 3 blocks; remove it from them, or delete with ?force=true.",
            "fields": {
                "usedBy[0]": "Block `header` (en): data.logo in the working copy, data.logo in the published version, "
                "2 revisions.",
                "usedBy[1]": "Block `footer` (en): data.gallery[0] in the working copy, 1 revision.",
                "usedBy[2]": "Block `hero` (en): 1 revision.",
            },
        }
    }
    assert Asset.objects.filter(pk=logo["id"]).exists()
    assert client.get(logo["url"]).status_code == 200

    assert commit(lambda: api.delete(f"/api/v1/assets/{unused['id']}")).json() == {"message": "Asset deleted"}
    assert client.get(unused["url"]).status_code == 404

    assert commit(lambda: api.delete(f"/api/v1/assets/{logo['id']}?force=true")).json() == {"message": "Asset deleted"}
    assert client.get(logo["url"]).status_code == 404
    assert api.get("/api/v1/site-blocks/header").json()["data"]["data"]["logo"] == {
        "asset": logo["id"],
        "missing": True,
    }
    delivered = client.get("/api/v1/delivery/acme/blocks/header").json()["data"]["data"]
    assert delivered["logo"] == {"asset": logo["id"], "missing": True}


def test_replacing_the_file_keeps_the_id_and_changes_exactly_the_answers_that_show_it(
    api, client, logo, make_block, django_capture_on_commit_callbacks
):
    make_block("header", {"logo": {"asset": logo["id"]}})
    make_block("plain", {"title": "No media"})
    before = client.get("/api/v1/delivery/acme/blocks/header")
    plain = client.get("/api/v1/delivery/acme/blocks/plain")
    assert before.json()["data"]["data"]["logo"]["url"] == logo["url"]

    new = png(10, 8, (0, 0, 255))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/assets/{logo['id']}/file",
            {"filename": "logo-v2.png", "contentBase64": base64.b64encode(new).decode()},
            format="json",
        )
    assert response.status_code == 200, response.content
    replaced = response.json()["data"]
    assert replaced["id"] == logo["id"] and replaced["url"] != logo["url"]
    assert (replaced["width"], replaced["height"], replaced["size"], replaced["filename"]) == (
        10,
        8,
        len(new),
        "logo-v2.png",
    )
    assert replaced["alt"] == logo["alt"]
    assert client.get(logo["url"]).status_code == 404  # the old file is gone after the commit
    assert b"".join(client.get(replaced["url"]).streaming_content) == new

    after = client.get("/api/v1/delivery/acme/blocks/header")
    assert after.json()["data"]["data"]["logo"] == {
        **resolved(replaced, "Acme logo"),
        "name": "logo-v2.png",
        "width": 10,
        "height": 8,
        "color": "#0000ff",
    }
    assert after["ETag"] != before["ETag"]
    assert client.get("/api/v1/delivery/acme/blocks/plain")["ETag"] == plain["ETag"]  # same answer for the others


def test_restoring_a_revision_whose_asset_was_force_deleted_says_so_at_the_field(api, logo, make_block, commit):
    make_block("header", {"logo": {"asset": logo["id"]}}, publish=False)
    first = api.get("/api/v1/site-blocks/header/revisions").json()["data"][-1]["number"]
    assert (
        commit(lambda: api.put("/api/v1/site-blocks/header/data", {"data": {"logo": None}}, format="json")).status_code
        == 200
    )
    assert commit(lambda: api.delete(f"/api/v1/assets/{logo['id']}?force=true")).status_code == 200
    version = SiteBlock.objects.get(slug="header").version
    response = commit(lambda: api.post(f"/api/v1/site-blocks/header/revisions/{first}/restore"))
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The data did not validate.",
            "fields": {
                "data.logo.asset": f"No asset {logo['id']} in this site: it was deleted from the media library, "
                "or was never in it. Choose another file or remove this one."
            },
        }
    }
    assert SiteBlock.objects.get(slug="header").version == version


def test_a_force_deleted_reference_does_not_block_other_writes_but_a_new_schema_checks_the_rest(
    api, upload, logo, make_block, commit
):
    pdf = upload(api, "doc.pdf", PDF, "application/pdf").json()["data"]
    make_block("header", {"logo": {"asset": logo["id"]}, "brochure": {"asset": pdf["id"]}}, publish=False)
    assert commit(lambda: api.delete(f"/api/v1/assets/{logo['id']}?force=true")).status_code == 200
    response = commit(lambda: api.put("/api/v1/site-blocks/header/data", {"data": {"title": "New"}}, format="json"))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["data"]["logo"] == {"asset": logo["id"], "missing": True}
    tighter = [*SCHEMA[:3], {"name": "brochure", "type": "file", "accept": [".zip"]}]
    response = commit(lambda: api.put("/api/v1/site-blocks/header/schema", {"schema": tighter}, format="json"))
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The data did not validate.",
            "fields": {"data.brochure": "File type not accepted; allowed: .zip."},
        }
    }
    assert without_ids(SiteBlock.objects.get(slug="header").schema) == SCHEMA


def test_large_images_answer_srcset_renditions(api, client, upload, make_block):
    photo = upload(api, "wide.png", png(700, 100), "image/png").json()["data"]
    make_block("banner", {"gallery": [{"asset": photo["id"], "alt": "Wide"}]})
    item = client.get("/api/v1/delivery/acme/blocks/banner").json()["data"]["data"]["gallery"][0]
    base = f"/api/v1/delivery/acme/assets/{photo['id']}/rendition"
    assert item["renditions"] == [
        {"width": 320, "url": f"{base}?w=320&fmt=webp"},
        {"width": 640, "url": f"{base}?w=640&fmt=webp"},
    ]
    assert client.get(item["renditions"][1]["url"]).status_code == 302
    svg = upload(api, "logo.svg", SVG_WITH_SCRIPT, "image/svg+xml").json()["data"]
    make_block("brand", {"gallery": [{"asset": svg["id"], "alt": "Logo"}]}, publish=False)
    assert "renditions" not in api.get("/api/v1/site-blocks/brand").json()["data"]["data"]["gallery"][0]


def test_an_asset_change_drops_exactly_the_cached_answers_that_show_it(
    api, client, logo, make_block, commit, django_assert_num_queries
):
    """Per block, not the whole site: the block without the asset is still answered from the cache (no query at
    all, same ETag); the block, the page and the lists that show it are answered afresh."""
    make_block("header", {"logo": {"asset": logo["id"]}})
    make_block("plain", {"title": "No media"})
    for slug, path, data in (("about", "/about", {"logo": {"asset": logo["id"]}}), ("contact", "/contact", {})):
        body = {"name": slug, "slug": slug, "type": "page", "path": path, "schema": SCHEMA, "data": data}
        assert commit(lambda body=body: api.post("/api/v1/site-blocks", body, format="json")).status_code == 201
        assert commit(lambda slug=slug: api.post(f"/api/v1/site-blocks/{slug}/publish")).status_code == 200
    feed = [{"name": "latest", "type": "dataSource", "source": "blocks", "params": {"type": "global", "limit": 5}}]
    body = {"name": "Feed", "slug": "feed", "type": "global", "schema": feed, "data": {}}
    assert commit(lambda: api.post("/api/v1/site-blocks", body, format="json")).status_code == 201
    assert commit(lambda: api.post("/api/v1/site-blocks/feed/publish")).status_code == 200
    refs = [{"name": "see", "type": "string", "reference": "slug"}]
    body = {"name": "Refs", "slug": "refs", "type": "global", "schema": refs, "data": {"see": "header"}}
    assert commit(lambda: api.post("/api/v1/site-blocks", body, format="json")).status_code == 201
    assert commit(lambda: api.post("/api/v1/site-blocks/refs/publish")).status_code == 200
    urls = {
        "refs": "/api/v1/delivery/acme/blocks/refs?include=1",  # includes the header by reference
        "feed": "/api/v1/delivery/acme/blocks/feed",  # embeds the header through its data source
        "header": "/api/v1/delivery/acme/blocks/header",
        "header-fr": "/api/v1/delivery/acme/blocks/header?locale=fr",
        "plain": "/api/v1/delivery/acme/blocks/plain",
        "list": "/api/v1/delivery/acme/blocks?type=global",
        "about": "/api/v1/delivery/acme/pages?path=/about",
        "contact": "/api/v1/delivery/acme/pages?path=/contact",
    }
    before = {name: client.get(url) for name, url in urls.items()}
    for url in urls.values():  # memoised from the second ask on (`delivery.cache.first_ask`)
        assert client.get(url).status_code == 200
    for url in urls.values():
        with django_assert_num_queries(0):  # warm: every answer is a cache hit
            assert client.get(url).status_code == 200

    changed = commit(
        lambda: api.patch(f"/api/v1/assets/{logo['id']}", {"alt": {"en": "New logo", "fr": "Nouveau"}}, format="json")
    )
    assert changed.status_code == 200

    for name in ("plain", "contact"):
        with django_assert_num_queries(0):
            kept = client.get(urls[name])
        assert kept["ETag"] == before[name]["ETag"], name
    header, header_fr, listed = (client.get(urls[name]) for name in ("header", "header-fr", "list"))
    assert client.get(urls["about"]).json()["data"]["data"]["logo"]["alt"] == "New logo"
    assert header.json()["data"]["data"]["logo"]["alt"] == "New logo"
    assert header_fr.json()["data"]["data"]["logo"]["alt"] == "New logo"  # no fr copy: the en block, served in en
    assert [item["data"].get("logo", {}).get("alt") for item in listed.json()["data"]] == [None, "New logo", None, None]
    for name, answer in (("header", header), ("header-fr", header_fr), ("list", listed)):
        assert answer["ETag"] != before[name]["ETag"], name
    assert client.get(urls["about"])["ETag"] != before["about"]["ETag"]
    feed_answer = client.get(urls["feed"])
    assert feed_answer["ETag"] != before["feed"]["ETag"] and b"New logo" in feed_answer.content
    refs_answer = client.get(urls["refs"])
    assert refs_answer.json()["data"]["data"]["see"]["data"]["logo"]["alt"] == "New logo"

    # A forced delete: the same, exactly.
    assert commit(lambda: api.delete(f"/api/v1/assets/{logo['id']}?force=true")).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(urls["plain"])["ETag"] == before["plain"]["ETag"]
    assert client.get(urls["header"]).json()["data"]["data"]["logo"] == {"asset": logo["id"], "missing": True}
