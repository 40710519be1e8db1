"""Issue 14, item 9: schedule times whose offset or zone puts the UTC instant outside years 1-9999 are 422.

`"9999-12-31T23:59:59-14:00"` is in year 10000 in UTC and `"0001-01-01T00:00:00+14:00"` in year 0: Python's
datetime cannot hold either, and converting them used to answer 500. Now each is `validation_failed` naming its
field (`publishAt`, `unpublishAt`, `publishAtLocal`, `unpublishAtLocal`), and nothing is written; the
in-range edges are accepted. Wall-clock times are tried in the zones at the edges of the world's offsets.
"""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from scheduling.services import OUT_OF_RANGE_MESSAGE
from tests.editor.conftest import logged_in, member

pytestmark = pytest.mark.django_db

URL = "/api/v1/site-blocks/hero/schedule"

# Year 10000 or year 0 in UTC, in every spelling `fromisoformat` reads.
OUT_OF_RANGE_UTC = [
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59-00:01",
    "9999-12-31T23:59:59.999999-01:00",
    "9999-12-31T23:00-23:59",
    "9999-12-31T12:00:00-1200",
    "9999-12-31 23:59:59-05:30",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+00:01",
    "0001-01-01T00:00+23:59",
    "0001-01-01T13:59:59+1400",
    "0001-01-01 00:00:00.000001+01:00",
]
IN_RANGE_FUTURE_UTC = {
    "9999-12-31T23:59:59Z": "9999-12-31T23:59:59.000Z",
    "9999-12-31T23:59:59+14:00": "9999-12-31T09:59:59.000Z",
    "9999-12-31T23:59:59.999999+00:00": "9999-12-31T23:59:59.999Z",
    "9999-12-31T10:00:00-13:59": "9999-12-31T23:59:00.000Z",
}
PAST_IN_RANGE_UTC = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00", "0001-01-01T14:00:00+14:00"]
# Fixed zones whose answer is known: Etc/GMT-14 is UTC+14, Etc/GMT+12 is UTC-12 (POSIX signs).
FIXED_ZONE_CASES = [
    ("Etc/GMT-14", "0001-01-01T00:00", 422),
    ("Etc/GMT-14", "0001-01-01T13:59", 422),
    ("Etc/GMT-14", "9999-12-31T23:59", 200),
    ("Etc/GMT+12", "9999-12-31T23:59", 422),
    ("Etc/GMT+12", "9999-12-31T12:00", 422),
    ("Etc/GMT+12", "9999-12-31T11:59", 200),
    ("Etc/GMT+12", "0001-01-01T00:00", "past"),
    ("UTC", "9999-12-31T23:59", 200),
]
# Real zones at the edges of the world's offsets (with their historical local mean times in year 1).
EDGE_ZONES = [
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "Pacific/Tongatapu",
    "Pacific/Pago_Pago",
    "Pacific/Niue",
    "Etc/GMT+12",
    "Etc/GMT-14",
    "America/Adak",
    "Asia/Kathmandu",
]
EDGE_LOCAL_TIMES = ["0001-01-01T00:00", "0001-01-01T23:59", "9999-12-31T00:00", "9999-12-31T23:59"]


@pytest.fixture
def hero(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": [{"name": "title", "type": "string"}], "data": {"title": "Hi"}},
        format="json",
    )
    assert response.status_code == 201
    published = api.post("/api/v1/site-blocks/hero/publish")  # so an unpublish time may be set too
    assert published.status_code == 200
    return published.json()["data"]


def state() -> tuple:
    block = SiteBlock.objects.get(slug="hero")
    return block.version, block.scheduled_publish_at, block.scheduled_unpublish_at


def refused(field: str, message: str = OUT_OF_RANGE_MESSAGE) -> dict:
    return {
        "error": {"code": "validation_failed", "message": "The request did not validate.", "fields": {field: message}}
    }


@pytest.mark.parametrize("value", OUT_OF_RANGE_UTC)
@pytest.mark.parametrize("field", ["publishAt", "unpublishAt"])
def test_utc_times_out_of_range_are_422_with_their_field(api, hero, field, value):
    before = state()
    response = api.post(URL, {field: value}, format="json")
    assert response.status_code == 422, response.content[:300]
    assert response.json() == refused(field)
    assert state() == before


def test_both_out_of_range_are_named_together(api, hero):
    before = state()
    response = api.post(URL, {"publishAt": OUT_OF_RANGE_UTC[0], "unpublishAt": OUT_OF_RANGE_UTC[-1]}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "publishAt": OUT_OF_RANGE_MESSAGE,
        "unpublishAt": OUT_OF_RANGE_MESSAGE,
    }
    assert state() == before


@pytest.mark.parametrize(("value", "shown"), sorted(IN_RANGE_FUTURE_UTC.items()))
def test_in_range_edges_are_accepted_and_render(api, hero, value, shown):
    response = api.post(URL, {"publishAt": value}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]["scheduledPublishAt"] == shown
    assert api.get("/api/v1/site-blocks/hero").json()["data"]["scheduledPublishAt"] == shown
    assert api.get("/api/v1/site-blocks").status_code == 200


@pytest.mark.parametrize("value", PAST_IN_RANGE_UTC)
def test_in_range_past_edges_are_refused_as_past(api, hero, value):
    before = state()
    response = api.post(URL, {"publishAt": value}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "Scheduled times must be in the future.",
            "fields": {"publishAt": "Must be in the future."},
        }
    }
    assert state() == before


def set_zone(site, zone: str) -> None:
    site.timezone = zone
    site.save()


@pytest.mark.parametrize(("zone", "local", "expected"), FIXED_ZONE_CASES)
@pytest.mark.parametrize("field", ["publishAtLocal", "unpublishAtLocal"])
def test_local_times_at_the_edges_of_fixed_zones(api, hero, site, zone, local, expected, field):
    set_zone(site, zone)
    before = state()
    response = api.post(URL, {field: local}, format="json")
    if expected == 200:
        assert response.status_code == 200, response.content[:300]
        return
    assert response.status_code == 422, response.content[:300]
    if expected == "past":
        assert response.json()["error"]["fields"] == {field.removesuffix("Local"): "Must be in the future."}
    else:
        assert response.json() == refused(field)
    assert state() == before


@pytest.mark.parametrize("zone", EDGE_ZONES)
def test_local_edges_in_real_zones_never_fail(api, hero, site, zone):
    set_zone(site, zone)
    for local in EDGE_LOCAL_TIMES:
        before = state()
        response = api.post(URL, {"publishAtLocal": local}, format="json")
        assert response.status_code in (200, 422), (zone, local, response.content[:300])
        if response.status_code == 422:
            assert response.json()["error"]["fields"] in (
                {"publishAtLocal": OUT_OF_RANGE_MESSAGE},
                {"publishAt": "Must be in the future."},
            ), (zone, local)
            assert state() == before
        assert api.delete(URL).status_code == 200


def test_the_admin_schedule_page_refuses_them_too(site, hero):
    set_zone(site, "Etc/GMT+12")
    editor = logged_in(member(site, "pub", "editor"))
    block = SiteBlock.objects.get(slug="hero")
    before = state()
    response = editor.post(
        f"/admin/blocks/siteblock/{block.pk}/schedule/",
        {"version": block.version, "publish_at": "9999-12-31T23:59", "unpublish_at": "", "save": "Save schedule"},
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE_MESSAGE in response.content.decode()
    assert state() == before
