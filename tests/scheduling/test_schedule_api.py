"""POST/DELETE /site-blocks/{slug}/schedule: UTC and site-local times, DST gaps and overlaps, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Site

URL = "/api/v1/site-blocks/hero/schedule"
SCHEMA = [{"name": "title", "type": "string", "required": True}]


def z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def hero(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"title": "Hi"}},
        format="json",
    )
    assert response.status_code == 201
    return response.json()["data"]


@pytest.fixture
def paris(site) -> Site:
    site.timezone = "Europe/Paris"
    site.save()
    return site


def test_schedule_in_utc_shows_on_block_and_bumps_etag(api, hero):
    when = datetime(2030, 1, 5, 9, 0, tzinfo=UTC)
    response = api.post(URL, {"publishAt": "2030-01-05T09:00:00Z"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["scheduledPublishAt"] == z(when)
    assert data["scheduledUnpublishAt"] is None
    assert data["version"] == hero["version"] + 1
    assert "scheduleFailure" not in response.json()["meta"]
    assert api.get("/api/v1/site-blocks/hero").json()["data"]["scheduledPublishAt"] == z(when)
    # an offset is converted to UTC
    response = api.post(URL, {"unpublishAt": "2030-01-06T10:00:00+02:00"}, format="json")
    assert response.json()["data"]["scheduledUnpublishAt"] == "2030-01-06T08:00:00.000Z"
    assert response.json()["data"]["scheduledPublishAt"] == z(when)  # kept


@pytest.mark.parametrize(
    ("local", "expected_utc"),
    [
        ("2030-03-30T09:00", "2030-03-30T08:00:00.000Z"),  # the day before spring forward: UTC+1
        ("2030-03-31T09:00", "2030-03-31T07:00:00.000Z"),  # the day of: UTC+2 from 02:00 local
        ("2030-03-31T01:59", "2030-03-31T00:59:00.000Z"),  # just before the jump
        ("2030-03-31T03:00", "2030-03-31T01:00:00.000Z"),  # just after it
        ("2030-10-26T09:00", "2030-10-26T07:00:00.000Z"),  # the day before fall back: UTC+2
        ("2030-10-27T09:00", "2030-10-27T08:00:00.000Z"),  # the day of: UTC+1 from 03:00 local
        ("2030-10-27T01:59", "2030-10-26T23:59:00.000Z"),  # before the repeated hour
        ("2030-10-27T03:00", "2030-10-27T02:00:00.000Z"),  # after it
    ],
)
def test_paris_local_time_across_dst_lands_on_the_right_instant(api, hero, paris, local, expected_utc):
    response = api.post(URL, {"publishAtLocal": local}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["scheduledPublishAt"] == expected_utc


def test_non_existent_local_time_is_refused_clearly(api, hero, paris):
    response = api.post(URL, {"publishAtLocal": "2030-03-31T02:30"}, format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "does not exist in Europe/Paris" in error["fields"]["publishAtLocal"]
    assert "UTC+01:00 to UTC+02:00" in error["fields"]["publishAtLocal"]
    assert api.get("/api/v1/site-blocks/hero").json()["data"]["scheduledPublishAt"] is None


def test_ambiguous_local_time_is_refused_naming_both_instants(api, hero, paris):
    response = api.post(URL, {"unpublishAtLocal": "2030-10-27T02:30"}, format="json")
    assert response.status_code == 422
    message = response.json()["error"]["fields"]["unpublishAtLocal"]
    assert "happens twice in Europe/Paris" in message
    assert "2030-10-27T00:30Z" in message and "2030-10-27T01:30Z" in message


def test_past_times_and_bad_values_are_refused_with_their_paths(api, hero):
    past = z(datetime.now(UTC) - timedelta(minutes=1))
    response = api.post(URL, {"publishAt": past}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"publishAt": "Must be in the future."}
    response = api.post(URL, {"publishAt": "tomorrow", "unpublishAtLocal": "2030-01-01 09:00"}, format="json")
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"publishAt", "unpublishAtLocal"}
    response = api.post(URL, {"publishAt": "2030-01-05T09:00:00"}, format="json")  # no zone: a guess
    assert "publishAtLocal" in response.json()["error"]["fields"]["publishAt"]
    response = api.post(URL, {"publishAt": "2030-01-05T09:00:00Z", "publishAtLocal": "2030-01-05T09:00"}, format="json")
    assert "not both" in response.json()["error"]["fields"]["publishAtLocal"]
    response = api.post(URL, {}, format="json")
    assert response.status_code == 422
    response = api.post(URL, {"publish": "2030-01-05T09:00:00Z"}, format="json")
    assert response.json()["error"]["fields"] == {"publish": "Unknown field."}
    response = api.post(
        URL, {"publishAt": "2030-01-05T09:00:00Z", "unpublishAt": "2030-01-05T08:00:00Z"}, format="json"
    )
    assert response.json()["error"]["fields"] == {"unpublishAt": "Must be after the scheduled publish time."}


def test_schedule_refused_when_the_block_would_not_publish_now(api, hero):
    api.put("/api/v1/site-blocks/hero/data", {"data": {"title": ""}}, format="json")
    response = api.post(URL, {"publishAt": "2030-01-05T09:00:00Z"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"data.title": "Must be present and non-empty."}


def test_unpublish_of_a_draft_without_a_publish_is_refused(api, hero):
    response = api.post(URL, {"unpublishAt": "2030-01-05T09:00:00Z"}, format="json")
    assert response.status_code == 422
    assert "not published" in response.json()["error"]["fields"]["unpublishAt"]


def test_delete_cancels_and_if_match_is_honoured(api, hero):
    api.post(URL, {"publishAt": "2030-01-05T09:00:00Z", "unpublishAt": "2030-02-05T09:00:00Z"}, format="json")
    stale = f'"{hero["id"]}-{hero["version"]}"'
    assert api.delete(URL, HTTP_IF_MATCH=stale).status_code == 409
    response = api.delete(URL)
    assert response.status_code == 200
    assert response.json()["data"]["scheduledPublishAt"] is None
    assert response.json()["data"]["scheduledUnpublishAt"] is None


def test_schedule_needs_publish_rights(api, hero, make_client):
    viewer = make_client(role="viewer", scopes=("read",))
    assert viewer.post(URL, {"publishAt": "2030-01-05T09:00:00Z"}, format="json").status_code == 403
    no_scope = make_client(role="editor", scopes=("read", "write"))
    assert no_scope.post(URL, {"publishAt": "2030-01-05T09:00:00Z"}, format="json").status_code == 403
    assert no_scope.delete(URL).json()["error"]["code"] == "forbidden"
    assert (
        api.post("/api/v1/site-blocks/nope/schedule", {"publishAt": "2030-01-05T09:00:00Z"}, format="json").status_code
        == 404
    )


def test_single_block_read_stays_at_two_queries(api, hero, django_assert_max_num_queries):
    api.post(URL, {"publishAt": "2030-01-05T09:00:00Z"}, format="json")
    api.get("/api/v1/site-blocks/hero")
    with django_assert_max_num_queries(2):
        assert api.get("/api/v1/site-blocks/hero").json()["data"]["scheduledPublishAt"]
