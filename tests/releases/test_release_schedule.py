"""Scheduled releases through HTTP: the time in UTC or on the site's wall clock (DST-safe in Europe/Paris), the
worker's sweep publishing every item at once as the scheduler, failures kept on the release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from accounts.models import Site
from scheduling.performing import perform_due_releases
from tests.releases.test_releases_api import add, create, live_title, new_release
from tests.worker import run_worker_until

pytestmark = pytest.mark.django_db(transaction=True)


def z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def paris(site):
    Site.objects.filter(pk=site.pk).update(timezone="Europe/Paris")
    return site


@pytest.fixture
def release(api):
    for name in ("Hero", "Footer"):
        create(api, name, f"{name} v1")
    release, _ = new_release(api)
    add(api, release, "hero")
    add(api, release, "footer")
    return release


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2030-03-31T03:30", "2030-03-31T01:30:00.000Z"),  # just after the spring jump: UTC+2
        ("2030-03-31T01:59", "2030-03-31T00:59:00.000Z"),  # just before it: UTC+1
        ("2030-10-27T03:00", "2030-10-27T02:00:00.000Z"),  # after the autumn overlap: UTC+1
        ("2030-07-14T10:00", "2030-07-14T08:00:00.000Z"),
    ],
)
def test_a_local_time_is_read_on_the_sites_clock(api, paris, release, local, utc):
    response = api.post(f"/api/v1/releases/{release}/schedule", {"publishAtLocal": local}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["data"]["scheduledAt"] == utc


def test_times_that_do_not_exist_or_happen_twice_are_refused(api, paris, release):
    gap = api.post(f"/api/v1/releases/{release}/schedule", {"publishAtLocal": "2030-03-31T02:30"}, format="json")
    overlap = api.post(f"/api/v1/releases/{release}/schedule", {"publishAtLocal": "2030-10-27T02:30"}, format="json")
    past = api.post(f"/api/v1/releases/{release}/schedule", {"publishAt": "2020-01-01T00:00:00Z"}, format="json")
    nothing = api.post(f"/api/v1/releases/{release}/schedule", {}, format="json")

    assert gap.status_code == 422
    assert gap.json()["error"] == {
        "code": "validation_failed",
        "message": "2030-03-31T02:30 does not exist in Europe/Paris: the clocks jump forward over it.",
        "fields": {
            "publishAtLocal": "2030-03-31T02:30 does not exist in Europe/Paris (the clocks jump forward from "
            "UTC+01:00 to UTC+02:00); choose another time."
        },
    }
    assert overlap.status_code == 422 and overlap.json()["error"]["fields"] == {
        "publishAtLocal": "2030-10-27T02:30 happens twice in Europe/Paris (the clocks go back): it is either "
        "2030-10-27T00:30Z or 2030-10-27T01:30Z. Give the time in UTC instead to choose."
    }
    assert past.status_code == 422 and past.json()["error"]["fields"] == {"publishAt": "Must be in the future."}
    assert nothing.status_code == 422 and nothing.json()["error"]["fields"] == {"publishAt": "Give a publish time."}
    assert api.get(f"/api/v1/releases/{release}").json()["data"]["scheduledAt"] is None


def test_the_sweep_publishes_a_due_release_as_a_whole_and_only_when_due(api, release):
    when = datetime.now(UTC) + timedelta(hours=1)
    assert api.post(f"/api/v1/releases/{release}/schedule", {"publishAt": z(when)}, format="json").status_code == 200

    assert perform_due_releases(now=when - timedelta(seconds=1)) == []
    assert live_title("hero") is None
    assert perform_due_releases(now=when) == [(release, "published")]

    data = api.get(f"/api/v1/releases/{release}").json()["data"]
    assert data["status"] == "published" and data["scheduledAt"] is None and data["scheduleFailure"] is None
    assert (live_title("hero"), live_title("footer")) == ("Hero v1", "Footer v1")
    assert perform_due_releases(now=when + timedelta(hours=1)) == []


def test_a_scheduled_release_that_cannot_go_live_keeps_why_and_publishes_nothing(api, release):
    when = datetime.now(UTC) + timedelta(hours=1)
    api.post(f"/api/v1/releases/{release}/schedule", {"publishAt": z(when)}, format="json")
    api.put("/api/v1/site-blocks/footer/data", {"data": {"title": "Footer v2"}}, format="json")  # after review

    assert perform_due_releases(now=when) == [(release, "publish_failed")]

    data = api.get(f"/api/v1/releases/{release}").json()["data"]
    assert data["status"] == "open" and data["scheduledAt"] is None
    assert data["scheduleFailure"]["code"] == "release_conflict"
    assert list(data["scheduleFailure"]["fields"]) == ["items[1]"]
    assert live_title("hero") is None and live_title("footer") is None
    # scheduled again, accepting what changed since review: it goes live as it is then
    body = {"publishAt": z(when + timedelta(hours=1)), "acceptChanges": True}
    assert (
        api.post(f"/api/v1/releases/{release}/schedule", body, format="json").json()["data"]["scheduleFailure"] is None
    )
    assert perform_due_releases(now=when + timedelta(hours=1)) == [(release, "published")]
    assert live_title("footer") == "Footer v2"


def test_cancelling_clears_the_time_and_a_second_cancel_changes_nothing(api, release):
    api.post(
        f"/api/v1/releases/{release}/schedule", {"publishAt": z(datetime.now(UTC) + timedelta(hours=1))}, format="json"
    )

    first = api.delete(f"/api/v1/releases/{release}/schedule")
    second = api.delete(f"/api/v1/releases/{release}/schedule")

    assert first.json()["data"]["scheduledAt"] is None
    assert second.status_code == 200 and second["ETag"] == first["ETag"]
    assert perform_due_releases(now=datetime.now(UTC) + timedelta(days=1)) == []


def test_the_worker_publishes_a_release_scheduled_a_second_ahead(api, release, capsys):
    publish_at = datetime.now(UTC) + timedelta(seconds=1)
    assert (
        api.post(f"/api/v1/releases/{release}/schedule", {"publishAt": z(publish_at)}, format="json").status_code == 200
    )

    run_worker_until(lambda: live_title("hero") is not None, timeout=5, interval=0.1)

    assert datetime.now(UTC) - publish_at < timedelta(seconds=1.6)
    assert live_title("footer") == "Footer v1"
    call_command("run_schedules")  # nothing left to do
    assert "Published" not in capsys.readouterr().out
