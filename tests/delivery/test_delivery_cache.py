"""The server-side cache: zero queries on a hit, a constant number on a miss, never a stale answer."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Site
from accounts.permissions import Actor
from blocks import services
from blocks.models import SiteBlock
from delivery import cache as dcache
from locales.services import site_locale_disable
from scheduling.services import block_schedule
from tests.conftest import issue_token

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"
LINKS = [
    {"name": "title", "type": "string"},
    {"name": "promo", "type": "dataSource", "source": "block", "params": {"slug": "promo"}},
    {"name": "latest", "type": "dataSource", "source": "blocks", "params": {"limit": 3, "order": "-publishedAt"}},
]


def queries_for(client, url, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return len(captured.captured_queries), response


def bulk_published(site, count: int, locale: str = "en", start: int = 0) -> None:
    """Many published rows at once (the services would take seconds for hundreds)."""
    SiteBlock.objects.bulk_create(
        SiteBlock(
            site=site,
            locale=locale,
            name=f"Filler {index:04d}",
            slug=f"filler-{index}",
            type="global",
            status="published",
            schema=LINKS,
            data={"title": f"f{index}"},
            published_snapshot={"schema": LINKS, "data": {"title": f"f{index}"}},
            published_version=1,
        )
        for index in range(start, start + count)
    )


URLS = [
    f"{BASE}/blocks/home",
    f"{BASE}/blocks/home?locale=fr",
    f"{BASE}/pages?path=/home",
    f"{BASE}/blocks?perPage=20",
    f"{BASE}/blocks/missing",
]


@pytest.mark.parametrize("url", URLS)
def test_a_hit_runs_no_query_and_a_miss_a_constant_number_whatever_the_site_size(site, publish, url, shared_cache):
    publish("Promo", {"title": "Sale"})
    publish("Home", {"title": "Home"}, type="page", path="/home", schema=LINKS)
    bulk_published(site, 10)
    client = APIClient()

    cold, first = queries_for(client, url)
    assert first.status_code in (200, 404)
    hot, again = queries_for(client, url)
    assert hot == 0, "a cache hit must not touch the database"
    assert again.content == first.content

    # the same request on a cold cache, with 300 more blocks in the site: the same number of queries
    bulk_published(site, 300, start=10)
    dcache.invalidate_site(site.pk)
    dcache.local_clear()
    cold_big, _ = queries_for(client, url)
    assert cold_big == cold <= 12, (cold, cold_big)
    warm, _ = queries_for(client, url)
    assert warm == 0


def test_a_hit_with_a_token_on_a_private_site_runs_no_query(site, publish):
    publish("Hero", {"title": "x"})
    Site.objects.filter(pk=site.pk).update(is_public=False)
    dcache.invalidate_site(site.pk)
    _, secret = issue_token(site, username="reader", role="viewer", scopes=("read",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for _ in range(2):  # memoised from the second ask on (`dcache.first_ask`)
        assert queries_for(client, f"{BASE}/blocks/hero")[1].status_code == 200
    count, response = queries_for(client, f"{BASE}/blocks/hero")
    assert (count, response.status_code) == (0, 200)


def test_304_on_a_hit_runs_no_query(site, publish):
    publish("Hero", {"title": "x"})
    client = APIClient()
    etag = client.get(f"{BASE}/blocks/hero")["ETag"]
    assert client.get(f"{BASE}/blocks/hero")["ETag"] == etag  # memoised from the second ask on
    count, response = queries_for(client, f"{BASE}/blocks/hero", HTTP_IF_NONE_MATCH=etag)
    assert (count, response.status_code) == (0, 304)


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request):
    """Each staleness test runs on the local-memory cache and on Redis (the production set-up)."""
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


def test_after_publish_unpublish_delete_no_reader_sees_the_old_state(site, publish, write, shared_cache):
    readers = [APIClient(), APIClient()]
    hero = publish("Hero", {"title": "v1"})
    home = publish("Home", {"title": "Home"}, type="page", path="/home", schema=LINKS)
    publish("Promo", {"title": "Sale"})

    def seen(url):
        answers = {reader.get(url).content for reader in readers}
        assert len(answers) == 1
        return readers[0].get(url)

    assert seen(f"{BASE}/blocks/hero").json()["data"]["data"]["title"] == "v1"
    assert seen(f"{BASE}/pages?path=/home").json()["data"]["data"]["promo"] == {"title": "Sale"}

    write(services.block_update_data, block=hero, data={"title": "v2"}, expected_version=None, publish=True)
    assert seen(f"{BASE}/blocks/hero").json()["data"]["data"]["title"] == "v2"

    # an answer embedding a data source changes when what it lists changes
    promo = SiteBlock.objects.get(slug="promo")
    write(services.block_update_data, block=promo, data={"title": "Sale 2"}, expected_version=None, publish=True)
    assert seen(f"{BASE}/pages?path=/home").json()["data"]["data"]["promo"] == {"title": "Sale 2"}
    latest = [item["slug"] for item in seen(f"{BASE}/pages?path=/home").json()["data"]["data"]["latest"]]
    assert latest[0] == "promo"

    write(services.block_unpublish, block=promo, expected_version=None)
    assert seen(f"{BASE}/pages?path=/home").json()["data"]["data"]["promo"] is None

    write(services.block_unpublish, block=hero, expected_version=None)
    assert seen(f"{BASE}/blocks/hero").status_code == 404

    assert seen(f"{BASE}/blocks?perPage=50").json()["meta"]["total"] == 1
    write(services.block_delete, block=home, expected_version=None)
    assert seen(f"{BASE}/pages?path=/home").status_code == 404
    assert seen(f"{BASE}/blocks?perPage=50").json()["meta"]["total"] == 0


def test_a_published_page_moved_to_another_path_is_served_there_at_once(site, publish, write, shared_cache):
    page = publish("About", {"title": "About"}, type="page", path="/about")
    client = APIClient()
    assert client.get(f"{BASE}/pages?path=/about").status_code == 200
    write(services.block_update_meta, block=page, expected_version=None, changes={"path": "/about-us"})
    assert client.get(f"{BASE}/pages?path=/about").status_code == 404
    assert client.get(f"{BASE}/pages?path=/about-us").status_code == 200


def test_draft_edits_keep_the_cache_warm(site, publish, write):
    publish("Hero", {"title": "v1"})
    draft = write(services.block_create, name="Draft", type="global", schema=[], data={})
    client = APIClient()
    client.get(f"{BASE}/blocks/hero")
    client.get(f"{BASE}/blocks/hero")  # memoised from the second ask on
    write(services.block_update_meta, block=draft, expected_version=None, changes={"name": "Draft 2"})
    count, response = queries_for(client, f"{BASE}/blocks/hero")
    assert (count, response.status_code) == (0, 200)


def test_locale_changes_invalidate_through_the_locales_service(site, publish, django_capture_on_commit_callbacks):
    publish("Hero", {"title": "Hello"})
    client = APIClient()
    assert client.get(f"{BASE}/blocks/hero?locale=es").json()["meta"]["locale"] == "en"
    owner, _ = issue_token(site, username="owner", role="owner")
    with django_capture_on_commit_callbacks(execute=True):
        site_locale_disable(actor=Actor(user=owner, site=site, role="owner"), code="es")
    assert client.get(f"{BASE}/blocks/hero?locale=es").status_code == 404


def test_a_lost_generation_counter_never_resurrects_old_answers(site, publish, write, shared_cache):
    hero = publish("Hero", {"title": "v1"})
    client = APIClient()
    client.get(f"{BASE}/blocks/hero")
    cache.delete(dcache.generation_key("acme"))  # evicted
    with_new_generation = client.get(f"{BASE}/blocks/hero")
    assert with_new_generation.json()["data"]["data"]["title"] == "v1"
    write(services.block_update_data, block=hero, data={"title": "v2"}, expected_version=None, publish=True)
    assert client.get(f"{BASE}/blocks/hero").json()["data"]["data"]["title"] == "v2"


def test_a_scheduled_unpublish_ends_a_cached_answer_on_time_even_without_the_worker(site, publish, write):
    block = publish("Banner", {"title": "Promo"})
    client = APIClient()
    assert client.get(f"{BASE}/blocks/banner").status_code == 200  # cached with no end in sight
    write(block_schedule, block=block, expected_version=None, unpublish_at=timezone.now() + timedelta(seconds=1))
    assert client.get(f"{BASE}/blocks/banner").status_code == 200
    time.sleep(1.1)
    # no worker ran: the row is still `published`, yet no reader is served it past its time
    assert SiteBlock.objects.get(pk=block.pk).status == "published"
    assert client.get(f"{BASE}/blocks/banner").status_code == 404


def test_the_process_memo_is_bounded_in_bytes(settings):
    settings.CMS = {**settings.CMS, "DELIVERY_LOCAL_ENTRIES": 100, "DELIVERY_LOCAL_BYTES": 8000}
    dcache.local_clear()

    def entry(size):
        return dcache.Entry(200, b"x" * size, None, '"e"', "en", None)

    for index in range(10):
        dcache.local_put(f"k{index}", entry(900))
    assert dcache._local_bytes <= 8000 and dcache.local_get("k9") is not None and dcache.local_get("k0") is None
    dcache.local_put("huge", entry(5000))  # over an eighth of the budget: not memoised at all
    assert dcache.local_get("huge") is None and dcache.local_get("k9") is not None


def test_an_answer_asked_once_is_read_from_the_database_and_memoised_from_the_second_ask(
    site, publish, write, shared_cache
):
    """`dcache.first_ask`: the first ask in a generation reads the stored answer and writes nothing to any cache
    (no stamp, no memo: most such answers are never asked for again); the second memoises it; the third is a
    hit. A publish starts the count again, and every answer is the live one."""
    hero = publish("Hero", {"title": "v1"})
    client = APIClient()
    stamp = dcache.stamp_key(site.slug, "b", "hero")
    assert client.get(f"{BASE}/blocks/promo").status_code == 404  # the site's facts are cached now
    count, first = queries_for(client, f"{BASE}/blocks/hero")
    assert (count, first.status_code) == (1, 200)
    memo = set(dcache._local)  # the 404, rendered at read time
    assert cache.get(stamp) is None and set(dcache._local) == memo
    count, second = queries_for(client, f"{BASE}/blocks/hero")
    assert count == 1 and second.content == first.content
    assert isinstance(cache.get(stamp), int) and len(set(dcache._local) - memo) == 1
    count, third = queries_for(client, f"{BASE}/blocks/hero")
    assert count == 0 and third.content == first.content

    write(services.block_update_data, block=hero, data={"title": "v2"}, expected_version=None, publish=True)
    count, fresh = queries_for(client, f"{BASE}/blocks/hero")
    assert count == 1 and fresh.json()["data"]["data"]["title"] == "v2"


@pytest.mark.redis
def test_read_stamp_starts_a_missing_stamp_in_one_round_trip_and_an_asset_change_still_moves_it(redis_cache):
    """The stamp is started and read in one round trip (SET NX then MGET), with `new_stamp`'s semantics: what
    Redis holds is what is used, a bump moves it (seen at once), a lost one restarts at the clock."""
    dcache.put_site(dcache.SiteFacts(1, "s", True, "en", {"en": ["en"]}), "s")
    assert dcache.lookup("s", None)[0].slug == "s"  # the site's facts in this process's copies, as on a warm server
    key = dcache.stamp_key("s", "b", "hero")
    assert dcache.lookup("s", None, key)[3] is dcache.MISSING  # alone missing: no round trip for it
    stamp = dcache.read_stamp(key)
    assert isinstance(stamp, int) and cache.get(key) == stamp
    assert dcache.lookup("s", None, key)[3] == stamp == dcache.read_stamp(key)
    dcache.bump_stamps("s", [("b", "hero")])
    assert dcache.lookup("s", None, key)[3] is dcache.MISSING  # the copy was dropped at once
    assert dcache.read_stamp(key) == stamp + 1  # no answer under the old stamp is read again
    cache.delete(key)  # expired or evicted: started again at the clock, never back at an old value
    assert dcache.lookup("s", None, key)[3] is dcache.MISSING
    restarted = dcache.read_stamp(key)
    assert isinstance(restarted, int) and restarted > stamp + 1 and cache.get(key) == restarted
