"""The worker performs due schedules: live within the poll interval, revisions by the scheduler, failures kept."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from reversion.models import Version

from blocks import events
from blocks.models import SiteBlock
from scheduling.performing import perform_due_schedules
from scheduling.tasks import enqueue_sweep_at
from tests.conftest import build_site, client_with, issue_token
from tests.worker import run_ready_tasks, run_worker_until

POLL = 0.1  # the worker's poll interval in these tests (db_worker --interval)


def z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def setup(transactional_db):
    site = build_site()
    user, secret = issue_token(site, username="sam", role="editor")
    api = client_with(secret)
    response = api.post(
        "/api/v1/site-blocks",
        {
            "name": "Promo",
            "type": "global",
            "schema": [{"name": "title", "type": "string", "required": True}],
            "data": {"title": "Sale"},
        },
        format="json",
    )
    assert response.status_code == 201
    return site, user, api


def is_live(api) -> bool:
    """Published, as the management API says (the worker did it: `live()` alone hides a due unpublish)."""
    data = api.get("/api/v1/site-blocks/promo").json()["data"]
    return data["status"] == "published"


def revisions(comment: str) -> list[Version]:
    block = SiteBlock.objects.get(slug="promo")
    return [
        v
        for v in Version.objects.get_for_object(block).select_related("revision__user")
        if v.revision.comment == comment
    ]


def test_block_scheduled_one_second_ahead_goes_live_then_down(setup):
    _site, user, api = setup
    publish_at = datetime.now(UTC) + timedelta(seconds=1)
    response = api.post("/api/v1/site-blocks/promo/schedule", {"publishAt": z(publish_at)}, format="json")
    assert response.status_code == 200, response.json()
    run_ready_tasks()
    assert not is_live(api)  # nothing is due yet: the queued task waits for its run_after
    assert api.get("/api/v1/delivery/acme/blocks/promo").status_code == 404

    run_worker_until(lambda: is_live(api), timeout=5, interval=POLL)
    assert datetime.now(UTC) - publish_at < timedelta(seconds=1 + POLL + 0.5)
    data = api.get("/api/v1/site-blocks/promo").json()["data"]
    assert data["scheduledPublishAt"] is None
    assert api.get("/api/v1/delivery/acme/blocks/promo").json()["data"]["data"] == {"title": "Sale"}
    [published] = revisions("Scheduled publish")
    assert published.revision.user == user  # authored by the scheduling user

    unpublish_at = datetime.now(UTC) + timedelta(seconds=1)
    response = api.post("/api/v1/site-blocks/promo/schedule", {"unpublishAt": z(unpublish_at)}, format="json")
    assert response.status_code == 200, response.json()
    run_worker_until(lambda: not is_live(api), timeout=5, interval=POLL)
    assert datetime.now(UTC) - unpublish_at < timedelta(seconds=1 + POLL + 0.5)
    data = api.get("/api/v1/site-blocks/promo").json()["data"]
    assert data["status"] == "draft" and data["scheduledUnpublishAt"] is None
    assert api.get("/api/v1/delivery/acme/blocks/promo").status_code == 404
    assert len(revisions("Scheduled unpublish")) == 1


def test_failed_scheduled_publish_is_recorded_on_the_block_and_announced(setup, subscribe):
    _site, user, api = setup
    seen = []
    subscribe(events.committed, seen.append)
    publish_at = datetime.now(UTC) + timedelta(seconds=1)
    api.post("/api/v1/site-blocks/promo/schedule", {"publishAt": z(publish_at)}, format="json")
    api.put("/api/v1/site-blocks/promo/data", {"data": {"title": ""}}, format="json")  # no longer publishable
    SiteBlock.objects.filter(slug="promo").update(scheduled_publish_at=datetime.now(UTC) - timedelta(seconds=1))

    assert perform_due_schedules() == [(SiteBlock.objects.get(slug="promo").pk, "publish_failed")]
    answer = api.get("/api/v1/site-blocks/promo").json()
    assert answer["data"]["status"] == "draft"
    assert answer["data"]["scheduledPublishAt"] is None  # not retried forever
    failure = answer["meta"]["scheduleFailure"]
    assert failure["fields"] == {"data.title": "Must be present and non-empty."}
    assert "cannot be published" in failure["message"]
    failed = [event for event in seen if event.event == "block.publish_failed"]
    assert len(failed) == 1 and failed[0].extra["fields"] == failure["fields"]
    assert failed[0].user_id == user.pk
    assert perform_due_schedules() == []


def test_scheduler_who_lost_publish_rights_fails_cleanly(setup):
    _site, user, api = setup
    api.post(
        "/api/v1/site-blocks/promo/schedule", {"publishAt": z(datetime.now(UTC) + timedelta(hours=1))}, format="json"
    )
    user.memberships.update(role="viewer")
    outcome = perform_due_schedules(now=datetime.now(UTC) + timedelta(hours=2))
    assert [name for _, name in outcome] == ["publish_failed"]
    failure = api.get("/api/v1/site-blocks/promo")  # the viewer still reads
    assert "may no longer publish" in failure.json()["meta"]["scheduleFailure"]["message"]


def test_run_schedules_command_catches_up(setup, capsys):
    _site, _user, api = setup
    api.post(
        "/api/v1/site-blocks/promo/schedule", {"publishAt": z(datetime.now(UTC) + timedelta(seconds=1))}, format="json"
    )
    time.sleep(1.05)
    call_command("run_schedules")
    assert "Performed 1 scheduled change(s)." in capsys.readouterr().out
    assert is_live(api)


@pytest.mark.postgres
def test_two_worker_processes_publish_exactly_once(setup):
    """Two real worker processes (`run_worker`) on PostgreSQL, several queued sweeps: one publish revision."""
    _site, _user, api = setup
    api.post(
        "/api/v1/site-blocks/promo/schedule", {"publishAt": z(datetime.now(UTC) + timedelta(seconds=1))}, format="json"
    )

    for _ in range(6):  # duplicates, as after retries or a re-schedule
        enqueue_sweep_at(datetime.now(UTC) + timedelta(seconds=1))
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    }
    time.sleep(1.05)
    command = [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay", "--interval", "0", "-v", "0"]
    workers = [subprocess.Popen(command, env=env, cwd=settings.BASE_DIR) for _ in range(2)]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]
    assert is_live(api)
    assert len(revisions("Scheduled publish")) == 1


@pytest.mark.postgres
def test_two_concurrent_sweeps_in_threads_publish_once(setup):
    _site, _user, api = setup
    api.post(
        "/api/v1/site-blocks/promo/schedule", {"publishAt": z(datetime.now(UTC) + timedelta(hours=1))}, format="json"
    )
    later = datetime.now(UTC) + timedelta(hours=2)
    barrier = threading.Barrier(4)
    results = []

    def sweep():
        barrier.wait()
        try:
            results.append(perform_due_schedules(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(result) for result in results) == [0, 0, 0, 1]
    assert len(revisions("Scheduled publish")) == 1
