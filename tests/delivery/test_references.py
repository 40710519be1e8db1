"""References between blocks (`"reference": "slug"` string fields) resolved by the delivery API's `include=N`:
in the answer's locale with fallback, cycles cut, unpublished targets null, a bounded number of queries, and
answers that include a block invalidated at the CDN exactly when that block changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from blocks import services
from delivery import cache as dcache
from delivery import cdn
from tests.delivery.test_cdn import FakeCdn

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"
TARGET = [{"name": "title", "type": "string"}, {"name": "next", "type": "string", "reference": "slug"}]
SOURCE = [
    {"name": "title", "type": "string"},
    {"name": "author", "type": "string", "reference": "slug"},
    {"name": "related", "type": "array", "items": {"type": "string", "reference": "slug"}},
    {"name": "cta", "type": "object", "fields": [{"name": "target", "type": "string", "reference": "slug"}]},
]


def get(url: str):
    return APIClient().get(url)


def target(slug: str, name: str, locale: str = "en", **extra) -> dict:
    return {
        "id": extra.get("id"),
        "name": name,
        "slug": slug,
        "type": "global",
        "locale": locale,
        "data": extra["data"],
    }


@pytest.fixture
def linked(publish):
    """`ann` and `bob` (bob names ann, ann names bob: a cycle), a draft `draft`, and `post` naming them all."""
    ann = publish("Ann", {"title": "Ann", "next": "bob"}, schema=TARGET)
    bob = publish("Bob", {"title": "Bob", "next": "ann"}, schema=TARGET)
    publish("Ann FR", {"title": "Anne", "next": "bob"}, schema=TARGET, slug="ann", locale="fr")
    post = publish(
        "Post",
        {"title": "Hello", "author": "ann", "related": ["bob", "draft", "nobody"], "cta": {"target": "bob"}},
        schema=SOURCE,
    )
    return {"ann": ann, "bob": bob, "post": post}


def test_without_include_references_are_the_stored_slugs(linked):
    body = get(f"{BASE}/blocks/post").json()
    assert body["data"]["data"] == {
        "title": "Hello",
        "author": "ann",
        "related": ["bob", "draft", "nobody"],
        "cta": {"target": "bob"},
    }


def test_include_resolves_each_level_in_the_locale_with_fallback_and_cuts_cycles(linked, write):
    write(services.block_create, name="Draft", type="global", schema=TARGET, data={"title": "D"}, locale="en")
    ann, bob = linked["ann"], linked["bob"]
    one = get(f"{BASE}/blocks/post?include=1").json()["data"]["data"]
    assert one["author"] == {
        "id": ann.pk,
        "name": "Ann",
        "slug": "ann",
        "type": "global",
        "locale": "en",
        "data": {"title": "Ann", "next": "bob"},
    }
    bob_one = {"id": bob.pk, "name": "Bob", "slug": "bob", "type": "global", "locale": "en"}
    assert one["related"] == [{**bob_one, "data": {"title": "Bob", "next": "ann"}}, None, None]
    assert one["cta"] == {"target": {**bob_one, "data": {"title": "Bob", "next": "ann"}}}

    # fr: ann has a fr copy, bob falls back to en; level 2 resolves bob's `next` (ann, in fr)
    fr = get(f"{BASE}/blocks/post?include=2&locale=fr").json()["data"]["data"]
    assert fr["author"]["locale"] == "fr" and fr["author"]["data"]["title"] == "Anne"
    assert fr["author"]["data"]["next"]["slug"] == "bob" and fr["author"]["data"]["next"]["data"]["next"] == "ann"
    assert fr["related"][0]["locale"] == "en" and fr["related"][0]["data"]["next"]["locale"] == "fr"

    # ann -> bob -> ann: the cycle stops at ann, which stays a slug however deep the include
    own = get(f"{BASE}/blocks/ann?include=3").json()["data"]["data"]
    assert own["next"]["slug"] == "bob" and own["next"]["data"]["next"] == "ann"


def test_pages_and_lists_resolve_references_too(linked, publish):
    publish("Home", {"title": "Home", "author": "bob"}, schema=SOURCE, type="page", path="/home")
    page = get(f"{BASE}/pages?path=/home&include=1").json()["data"]["data"]
    assert page["author"]["slug"] == "bob" and page["author"]["data"]["title"] == "Bob"
    listed = get(f"{BASE}/blocks?include=1&perPage=100").json()["data"]
    by_slug = {item["slug"]: item["data"] for item in listed}
    assert by_slug["post"]["author"]["data"]["title"] == "Ann"
    assert by_slug["ann"]["next"]["slug"] == "bob" and by_slug["ann"]["next"]["data"]["next"] == "ann"


def envelope(message: str) -> dict:
    return {"error": {"code": "bad_request", "message": f"`include`: {message}", "fields": {"include": message}}}


@pytest.mark.parametrize("value", ["4", "10", "-1", "x", "1.5", "9" * 50])
@pytest.mark.parametrize("url", ["/blocks/post", "/pages?path=/home", "/blocks"])
def test_include_above_3_or_not_a_number_is_a_400(linked, url, value):
    sep = "&" if "?" in url else "?"
    response = get(f"{BASE}{url}{sep}include={value}")
    assert response.status_code == 400
    assert response.json() == envelope("Must be a whole number from 0 to 3.")


@pytest.mark.parametrize("include", [1, 3])
def test_queries_do_not_grow_with_the_number_of_references(publish, include):
    for index in range(50):
        publish(f"T{index}", {"title": f"T{index}", "next": f"t{(index + 1) % 50}"}, schema=TARGET)
    get(f"{BASE}/blocks/t0")  # the site's facts are cached from here on: each read below is one answer's miss
    counts = []
    for fan_out in (1, 10, 50):
        refs = [f"t{index}" for index in range(fan_out)]
        publish(f"Fan {fan_out}", {"title": "x", "related": refs}, schema=SOURCE)
        dcache.local_clear()
        with CaptureQueriesContext(connection) as queries:
            body = get(f"{BASE}/blocks/fan-{fan_out}?include={include}").json()
        assert [item["slug"] for item in body["data"]["data"]["related"]] == refs
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


class CdnCache:
    """A CDN in front of the delivery API, as far as this test needs: answers stored with their Surrogate-Key,
    dropped when a purge (sent by the real purger to the fake Fastly API) names one of their keys."""

    def __init__(self, fake: FakeCdn) -> None:
        self.fake = fake
        self.stored: dict[str, set[str]] = {}

    def get(self, url: str) -> None:
        self.sync()
        if url not in self.stored:
            self.stored[url] = set(get(url)["Surrogate-Key"].split(" "))

    def sync(self) -> None:
        for request in self.fake.requests:
            purged = set(request["json"]["surrogate_keys"])
            self.stored = {url: keys for url, keys in self.stored.items() if not keys & purged}
        self.fake.requests.clear()

    def holds(self, url: str) -> bool:
        self.sync()
        return url in self.stored


@pytest.fixture
def fastly_cdn(settings):
    fake = FakeCdn()
    settings.CMS = {
        **settings.CMS,
        "CDN_PURGER": "fastly",
        "CDN_FASTLY_SERVICE_ID": "SU1Z0isxPaozGVKXdv0eY",
        "CDN_FASTLY_API_KEY": "fastly-token",
        "CDN_FASTLY_API_URL": fake.url,
    }
    fake.answer = {"key": "108-1391560174-974124"}
    yield CdnCache(fake)
    fake.close()


def test_an_including_answer_is_purged_exactly_when_a_block_it_includes_changes(
    site, linked, publish, write, fastly_cdn
):
    post = f"{BASE}/blocks/post?include=1"
    plain = f"{BASE}/blocks/post"
    keys = set(get(post)["Surrogate-Key"].split(" "))
    s = f"cms.s{site.pk}"
    # what it looked up, found or not: a later publish of `nobody` purges it too
    assert {f"{s}.b.ann", f"{s}.b.bob", f"{s}.b.draft", f"{s}.b.nobody"} <= keys
    assert f"{s}.list" not in keys
    fastly_cdn.get(post)
    fastly_cdn.get(plain)

    publish("Other", {"title": "Other"}, schema=TARGET)  # names nothing post shows
    assert fastly_cdn.holds(post) and fastly_cdn.holds(plain)

    ann = linked["ann"]
    ann.refresh_from_db()
    changed = write(
        services.block_update_data, block=ann, data={"title": "Ann 2", "next": "bob"}, expected_version=None
    )
    write(services.block_publish, block=changed, expected_version=None)
    assert not fastly_cdn.holds(post) and fastly_cdn.holds(plain)
    assert get(post).json()["data"]["data"]["author"]["data"]["title"] == "Ann 2"

    fastly_cdn.get(post)
    publish("Nobody", {"title": "Now here"}, schema=TARGET)
    assert not fastly_cdn.holds(post)
    assert get(post).json()["data"]["data"]["related"][2]["data"] == {"title": "Now here"}
    assert cdn.block_key(site.pk, "nobody") in get(post)["Surrogate-Key"].split(" ")


def test_a_reference_option_other_than_slug_is_refused(api):
    schema = [{"name": "x", "type": "string", "reference": "id"}]
    response = api.post("/api/v1/site-blocks", {"name": "Bad", "type": "global", "schema": schema}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "schema[0].reference": "Must be `slug`: the value names another block of the site by its slug."
    }
