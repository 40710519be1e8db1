"""`delivery.hot`: an anonymous GET asked again is answered from the answer kept for its URL, byte for byte what
the whole path answers, and never once something it depends on has changed (a publish, an asset's stamp, a
cache outage, a cleared memo). On Redis, the production set-up: the near cache's copies are what it watches."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Site
from blocks import services
from blocks.models import SiteBlock
from cms.cacheguard import breaker
from delivery import cache as dcache
from delivery import hot
from tests.conftest import issue_token

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE = "/api/v1/delivery/acme"
LONG = "A paragraph long enough to be gzipped. " * 40  # > DELIVERY_GZIP_MIN_BYTES: the answer has a gzip


def kept() -> int:
    """How many answers this thread keeps now (those of earlier tests are dropped by their memo's clearing)."""
    return sum(1 for one in getattr(hot._kept, "memo", {}).values() if one.cleared == dcache.cleared)


def until_kept(client: Client, url: str, **headers) -> None:
    """Ask until the answer is kept: an ask may load the site's facts, the first ask of a generation reads the
    stored answer, the next fetches the block's stamp, and the one after finds site, generation and stamp all
    in the near cache's copies."""
    path, _, query = url.partition("?")
    for _ in range(4):
        assert client.get(url, **headers).status_code in (200, 404)
        found = getattr(hot._kept, "memo", {}).get((path, query))
        if found is not None and found.cleared == dcache.cleared:
            return
    raise AssertionError(f"{url} was not kept after 4 asks")


@pytest.fixture(autouse=True)
def copies_trusted_for_the_whole_test(settings):
    """The near cache trusts a copy for `CACHE_TIMEOUT_SECONDS` (1 s) and so does a kept answer: long enough
    here that a slow machine does not end them in the middle of a test (the limit has its own test)."""
    settings.CMS = {**settings.CMS, "CACHE_TIMEOUT_SECONDS": 60}


def whole_path(client: Client, url: str, **headers):
    """The answer as the whole path gives it now (this thread's kept answers dropped first); kept again."""
    getattr(hot._kept, "memo", {}).clear()
    return client.get(url, **headers)


@pytest.fixture
def lookups(monkeypatch):
    """Counts the whole path's lookups (`dcache.lookup`): a kept answer makes none."""
    calls: list[str] = []
    real = dcache.lookup

    def counted(slug, *args, **kwargs):
        calls.append(slug)
        return real(slug, *args, **kwargs)

    monkeypatch.setattr(dcache, "lookup", counted)
    return calls


def everything(response) -> tuple:
    return response.status_code, dict(response.items()), response.content


def test_a_repeat_is_answered_from_the_kept_answer_exactly_as_the_whole_path_answers(
    site, publish, redis_cache, lookups
):
    publish("Hero", {"title": "Welcome", "body": LONG})
    publish("Home", {"title": "Home", "body": LONG}, type="page", path="/home")
    client = Client()
    cases = [
        (f"{BASE}/blocks/hero", {}),
        (f"{BASE}/blocks/hero?locale=en", {}),
        (f"{BASE}/blocks/hero", {"HTTP_ACCEPT_ENCODING": "gzip, br"}),
        (f"{BASE}/pages?path=/home", {}),
        (f"{BASE}/blocks/missing", {}),  # a 404 is an answer like the others
    ]
    for url, headers in cases:
        if url != cases[0][0] or not headers:  # kept per URL: the gzip case shares the first one's
            until_kept(client, url, **headers)
        del lookups[:]
        whole = everything(whole_path(client, url, **headers))
        assert lookups == ["acme"]
        again = client.get(url, **headers)
        assert lookups == ["acme"], f"{url}: no second lookup"
        assert everything(again) == whole, url
    assert everything(client.get(f"{BASE}/blocks/hero", HTTP_ACCEPT_ENCODING="gzip"))[1]["Content-Encoding"] == "gzip"

    etag = client.get(f"{BASE}/blocks/hero")["ETag"]
    del lookups[:]
    not_modified = client.get(f"{BASE}/blocks/hero", HTTP_IF_NONE_MATCH=etag)
    assert lookups == []
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified["ETag"] == etag
    whole_304 = whole_path(client, f"{BASE}/blocks/hero", HTTP_IF_NONE_MATCH=etag)
    assert lookups == ["acme"] and everything(whole_304) == everything(not_modified)


def test_a_kept_answer_lasts_no_longer_than_the_copies_it_was_chosen_by(site, publish, redis_cache, lookups):
    publish("Hero", {"title": "Welcome"})
    client = Client()
    url = f"{BASE}/blocks/hero"
    until_kept(client, url)
    note = next(iter(hot._kept.memo.values())).note
    del lookups[:]
    client.get(url)
    assert lookups == []
    hot._kept.memo[(url, "")] = next(iter(hot._kept.memo.values()))._replace(note=note._replace(until=0.0))
    client.get(url)
    assert lookups == ["acme"], "past the copies' trust: looked up again"


def test_a_publish_or_an_asset_stamp_ends_the_kept_answer_at_once(site, publish, write, redis_cache, lookups):
    hero = publish("Hero", {"title": "v1"})
    client = Client()
    url = f"{BASE}/blocks/hero"
    until_kept(client, url)
    del lookups[:]
    assert client.get(url).json()["data"]["data"]["title"] == "v1" and lookups == []

    write(services.block_update_data, block=hero, data={"title": "v2"}, expected_version=None, publish=True)
    assert client.get(url).json()["data"]["data"]["title"] == "v2"  # the very next read
    assert lookups == ["acme"]

    until_kept(client, url)
    del lookups[:]
    dcache.bump_stamps("acme", [("b", "hero")])  # what an asset change the block shows does
    client.get(url)
    assert lookups == ["acme"], "the block's stamp moved: the whole path again"

    other = SiteBlock.objects.get(slug="hero")
    write(services.block_unpublish, block=other, expected_version=None)
    assert client.get(url).status_code == 404


def test_readers_with_a_token_private_sites_and_a_cache_outage_are_never_answered_from_a_kept_answer(
    site, publish, redis_cache, lookups
):
    publish("Hero", {"title": "Welcome"})
    client = Client()
    url = f"{BASE}/blocks/hero"
    _, secret = issue_token(site, username="reader", role="viewer", scopes=("read", "preview"))
    for _ in range(4):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
        assert client.get(f"{url}?preview=true", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert kept() == 0 and len(lookups) == 8

    until_kept(client, url)
    breaker.open = True  # the cache is down: invalidations go to the database, copies are not trusted
    try:
        del lookups[:]
        assert client.get(url).status_code == 200
        assert lookups == ["acme"]
    finally:
        breaker.reset()

    dcache.local_clear()
    del lookups[:]
    client.get(url)
    assert lookups == ["acme"], "a cleared memo drops the kept answers too"

    Site.objects.filter(pk=site.pk).update(is_public=False)
    dcache.invalidate_site(site.pk)
    dcache.local_clear()
    for _ in range(4):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert kept() == 0


def test_kept_answers_are_bounded_like_the_process_memo(site, publish, redis_cache, settings, lookups):
    """At most `DELIVERY_LOCAL_ENTRIES` per thread, none over an eighth of `DELIVERY_LOCAL_BYTES`, and an answer
    found out of date is dropped at once (its bytes with it)."""
    publish("Hero", {"title": "Welcome", "body": LONG})
    publish("Footer", {"title": "Bye"})
    client = Client()
    hero = client.get(f"{BASE}/blocks/hero")
    size = len(hero.content)
    settings.CMS = {**settings.CMS, "DELIVERY_LOCAL_BYTES": 8 * size - 1, "DELIVERY_LOCAL_ENTRIES": 1}
    for _ in range(4):
        client.get(f"{BASE}/blocks/hero")
    assert kept() == 0, "over an eighth of the byte limit: not kept"

    until_kept(client, f"{BASE}/blocks/footer")
    until_kept(client, f"{BASE}/blocks/footer?locale=en")
    assert kept() == 1, "one entry at most"

    dcache.bump_stamps("acme", [("b", "footer")])
    client.get(f"{BASE}/blocks/footer?locale=en")  # out of date: dropped, then the whole path
    assert kept() == 0 and hot._kept.bytes == 0


def test_a_switch_of_the_cache_backend_ends_kept_answers_and_copies(site, publish, redis_cache, settings, lookups):
    """Copies and kept answers belong to the cache they were read from: another cache (settings changed at run
    time, as tests do) is looked up afresh, never answered from the first one's copies."""
    publish("Hero", {"title": "Welcome"})
    client = Client()
    url = f"{BASE}/blocks/hero"
    until_kept(client, url)
    from cms import nearcache

    first = nearcache._reader()
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": redis_cache + "-other"}}
    del lookups[:]
    assert client.get(url).json()["data"]["data"]["title"] == "Welcome"
    assert lookups == ["acme"], "the other cache was looked up"
    reader = nearcache._reader()
    assert reader is not first and reader.backend.key_prefix == redis_cache + "-other"
