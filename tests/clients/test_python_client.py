"""The Python client (clients/python, `cms_client`) against a live server with the demo site (conftest.py):
blocks, pages, lists, locale fallback, ETag revalidation, errors, preview, and the sync feed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cms_client import CmsClient, CmsError

from tests.clients.conftest import Demo

NO_SYNC = "this server has no /sync endpoint yet (the delivery sync feed, issue 19 item 3, is built apart)"


@pytest.fixture
def cms(demo: Demo) -> Iterator[CmsClient]:
    with CmsClient(demo.url, site=demo.site) as client:
        yield client


def test_get_block_answers_the_published_block_and_the_locale_served(cms):
    answer = cms.get_block("header")
    assert answer["meta"] == {"locale": "en"}
    block = answer["data"]
    assert (block["slug"], block["type"], block["locale"]) == ("header", "global", "en")
    assert block["data"]["tagline"] == "Content that ships itself"
    assert [link["label"] for link in block["data"]["navLinks"]] == ["Home", "Blog", "About"]
    french = cms.get_block("header", locale="fr")
    assert french["meta"]["locale"] == "fr"
    assert french["data"]["data"]["tagline"] == "Du contenu qui se publie tout seul"


def test_locale_fallback_is_the_apis_and_meta_says_what_was_served(demo, cms):
    answer = cms.get_block("promo", locale="fr")
    assert answer["data"]["data"] == {"headline": "Only in English"}
    assert answer["data"]["locale"] == answer["meta"]["locale"] == "en"
    with CmsClient(demo.url, site="demo", locale="fr") as french:
        assert french.get_page("/a-propos")["data"]["data"]["title"] == "À propos de nous"
        assert french.get_page("/about", locale="en")["data"]["data"]["title"] == "About us"


def test_get_page_and_list_blocks(cms):
    page = cms.get_page("/about")
    assert (page["data"]["slug"], page["data"]["path"]) == ("about", "/about")
    assert page["data"]["data"]["body"] == "<p>We build <strong>tools for editors</strong>.</p>"
    nav = cms.list_blocks(type="global", tags=["nav"])
    assert sorted(block["slug"] for block in nav["data"]) == ["footer", "header"]
    assert nav["meta"]["total"] == 2
    second = cms.list_blocks(page=2, per_page=1)
    assert len(second["data"]) == 1
    assert (second["meta"]["currentPage"], second["meta"]["perPage"], second["meta"]["total"]) == (2, 1, 4)


def test_etag_revalidation_returns_the_remembered_body_on_304(cms):
    first = cms.get_block("footer")
    second = cms.get_block("footer")
    assert second == first
    assert (cms.stats.requests, cms.stats.not_modified) == (2, 1)
    second["data"]["data"]["copyright"] = "changed by the caller"
    assert cms.get_block("footer")["data"]["data"]["copyright"] == "© 2026 Demo Inc.", "the cache is a copy"
    cms.get_block("footer", locale="fr")  # another URL: remembered apart
    assert cms.stats.not_modified == 2
    cms.clear_cache()
    cms.get_block("footer")
    assert cms.stats.not_modified == 2
    listed = cms.list_blocks()  # over 1 KB: sent gzipped, its ETag marked -gz
    assert cms.list_blocks() == listed
    assert cms.stats.not_modified == 3


def test_errors_are_cms_errors_with_the_envelope(cms):
    with pytest.raises(CmsError) as caught:
        cms.get_block("nope")
    error = caught.value
    assert (error.status, error.code, error.fields) == (404, "not_found", {})
    assert error.message == str(error) == "No published block `nope` in locale `en`."
    with pytest.raises(CmsError) as caught:
        cms.get_page("/about", locale="de")
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert caught.value.message == "`de` is not a locale of this site."
    assert caught.value.fields == {"locale": "Not a locale this site enables."}
    with pytest.raises(CmsError) as caught:
        cms.list_blocks(type="banner")  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.code, list(caught.value.fields)) == (400, "bad_request", ["type"])
    with CmsClient("http://127.0.0.1:9", site="demo") as nowhere, pytest.raises(CmsError) as caught:
        nowhere.get_block("header")
    assert (caught.value.status, caught.value.code) == (0, "network_error")


def test_preview_needs_a_preview_token(demo, cms):
    with pytest.raises(CmsError) as caught:
        cms.get_block("draft-note", preview=True)
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")
    assert "preview" in caught.value.message
    with CmsClient(demo.url, site="demo", token=demo.token) as previewer:
        answer = previewer.get_block("draft-note", preview=True)
    assert answer["data"]["data"] == {"note": "Not published yet"}
    assert answer["meta"]["preview"] is True
    with pytest.raises(CmsError) as caught:
        cms.get_block("draft-note")
    assert caught.value.status == 404


def test_sync_walks_every_page_then_answers_only_changes(cms):
    try:
        full = cms.sync(limit=2)
    except CmsError as error:
        if error.status == 404 and error.code == "not_found":
            pytest.skip(NO_SYNC)
        raise
    keys = sorted(f"{item['slug']}/{item['locale']}" for item in full.items)
    assert keys == ["about/en", "about/fr", "footer/en", "footer/fr", "header/en", "header/fr", "promo/en"]
    assert all(item["op"] == "upsert" and item["kind"] == "block" for item in full.items)
    sequences = [item["sequence"] for item in full.items]
    assert sequences == sorted(sequences)
    header = next(item for item in full.items if (item["slug"], item["locale"]) == ("header", "en"))
    assert header["block"] is not None and header["block"]["data"]["tagline"] == "Content that ships itself"
    later = cms.sync(cursor=full.cursor)
    assert later.items == []
    assert isinstance(later.cursor, str)
    with pytest.raises(CmsError) as caught:
        cms.sync(cursor="%%%")
    assert (caught.value.status, caught.value.code, list(caught.value.fields)) == (400, "bad_request", ["cursor"])
