"""A worker killed (SIGKILL) inside a task: another worker runs that task again, and the work gets done.

django-tasks-db's `db_worker` left such a task `RUNNING` for ever: the fan-out of an acknowledged write made
no delivery, a scheduled publish never happened. With `run_worker`, a worker whose heartbeat stopped has its
tasks queued again (`worker.reaping`) within heartbeat timeout + timeout/3.

To kill the worker *inside* a task, the test holds a PostgreSQL lock on a table the task writes, waits until
the worker's connection is seen waiting for that lock (`pg_locks`), and kills it there. The reaper's rules
(who counts as dead, the limit on runs) are checked in process too, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from blocks.models import BlockStatus, SiteBlock
from scheduling.tasks import perform_due_schedules
from tests.conftest import build_site, client_with, issue_token
from tests.faults.worker_process import log_shown_on_failure, start_worker, stop_worker, wait_until, worker_env
from tests.webhooks.helpers import add_hook, site_with_block
from tests.webhooks.receiver import Receiver
from tests.worker import run_ready_tasks, run_worker_until
from webhooks.models import DeliveryStatus, WebhookDelivery
from worker.heartbeat import beat
from worker.models import WorkerHeartbeat
from worker.reaping import requeue_abandoned

HEARTBEAT_TIMEOUT = 2  # seconds, for the worker processes of these tests (CMS_WORKER_HEARTBEAT_TIMEOUT)
#: From the second worker's start to the work done: its startup (a few seconds on a loaded machine), one
#: timeout of its own beats, the dead worker's beat growing older than the timeout, a beat interval, the task.
BOUND = 25


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


class TableLock:
    def __init__(self, conn: psycopg.Connection, table: str) -> None:
        self.conn, self.table = conn, table

    def waiting(self) -> list[int]:
        """The server pids of the connections waiting for this lock."""
        rows = self.conn.execute(
            "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [self.table]
        ).fetchall()
        return [pid for (pid,) in rows]


@contextmanager
def table_locked(table: str) -> Iterator[TableLock]:
    """Hold `table` so that nobody can write it (reads go on), from a connection of our own, until the end."""
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
        conn.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        try:
            yield TableLock(conn, table)
        finally:
            conn.rollback()


def backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


def kill_inside_task(lock: TableLock, worker: subprocess.Popen) -> int:
    """Wait until `worker` blocks on `lock` (it is inside its task), SIGKILL it; its server pid."""
    try:
        wait_until(lock.waiting, timeout=30, what="the worker runs the task and waits for the table")
        [pid] = lock.waiting()
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
        return pid
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.postgres
def test_fan_out_killed_inside_the_task_is_run_again_and_delivered_once(transactional_db, receiver, tmp_path):
    _site, _user, api = site_with_block()
    hook = add_hook(api, receiver.url)
    log = tmp_path / "workers.log"
    with log_shown_on_failure(log):
        env = worker_env(heartbeat_timeout=HEARTBEAT_TIMEOUT)
        with table_locked("webhooks_webhookdelivery") as lock:
            assert (
                api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "New"}}, format="json").status_code == 200
            )
            [fan_out] = DBTaskResult.objects.filter(task_path="webhooks.tasks.fan_out")
            pid = kill_inside_task(lock, start_worker(env, log))
        wait_until(lambda: backend_gone(pid), timeout=10, what="the killed worker's database session ends")

        fan_out.refresh_from_db()
        assert fan_out.status == TaskResultStatus.RUNNING  # where db_worker left it, for ever
        assert not WebhookDelivery.objects.exists()  # the kill rolled back the fan-out's transaction

        second = start_worker(env, log)
        try:
            took = wait_until(
                lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(),
                timeout=BOUND,
                what="the fan-out runs again and its delivery is sent",
            )
        finally:
            assert stop_worker(second) == 0, log.read_text()
        fan_out.refresh_from_db()
        assert fan_out.status == TaskResultStatus.SUCCESSFUL
        assert len(fan_out.worker_ids) == 2 and fan_out.worker_ids[0] != fan_out.worker_ids[1]
        [delivery] = WebhookDelivery.objects.all()
        assert delivery.webhook_id == hook["id"] and delivery.event == "block.updated" and delivery.attempts == 1
        [received] = receiver.requests  # once: the second run made the one delivery the write was owed
        assert received.headers["X-CMS-Delivery"] == str(delivery.pk)
        assert "queued again: its worker stopped (no heartbeat)" in log.read_text()
        assert took < BOUND
        assert not WorkerHeartbeat.objects.filter(worker_id=fan_out.worker_ids[1]).exists()  # stopped cleanly


@pytest.mark.postgres
def test_scheduled_publish_killed_inside_the_task_is_published_by_the_next_worker(transactional_db, tmp_path):
    site = build_site()
    _user, secret = issue_token(site, username="sam", role="editor")
    api = client_with(secret)
    schema = [{"name": "title", "type": "string", "required": True}]
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Promo", "type": "global", "schema": schema, "data": {"title": "Sale"}},
        format="json",
    )
    assert response.status_code == 201
    when = (datetime.now(UTC) + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    assert api.post("/api/v1/site-blocks/promo/schedule", {"publishAt": when}, format="json").status_code == 200
    log = tmp_path / "workers.log"
    with log_shown_on_failure(log):
        env = worker_env(heartbeat_timeout=HEARTBEAT_TIMEOUT)
        with table_locked("reversion_revision") as lock:  # the publish's revision: the last step of its write
            pid = kill_inside_task(lock, start_worker(env, log))
        wait_until(lambda: backend_gone(pid), timeout=10, what="the killed worker's database session ends")

        block = SiteBlock.objects.get(slug="promo")
        assert block.status == BlockStatus.DRAFT and block.scheduled_publish_at is not None  # missed, so far
        [sweep] = DBTaskResult.objects.filter(task_path="scheduling.tasks.perform_due_schedules")
        assert sweep.status == TaskResultStatus.RUNNING

        second = start_worker(env, log)
        try:
            took = wait_until(
                lambda: SiteBlock.objects.filter(slug="promo", status=BlockStatus.PUBLISHED).exists(),
                timeout=BOUND,
                what="the sweep runs again and publishes the block",
            )
        finally:
            assert stop_worker(second) == 0, log.read_text()
        block.refresh_from_db()
        assert block.scheduled_publish_at is None
        comments = [v.revision.comment for v in Version.objects.get_for_object(block).select_related("revision")]
        assert comments.count("Scheduled publish") == 1  # published once, by the second worker
        sweep.refresh_from_db()
        assert sweep.status == TaskResultStatus.SUCCESSFUL and len(sweep.worker_ids) == 2
        assert took < BOUND


# ---- the reaper's rules, in process (SQLite and PostgreSQL) ----------------------------------------------------


def running_task(*, worker_ids: list[str], started_ago: float) -> str:
    """A queued sweep, marked as claimed by `worker_ids` (the last one running it) `started_ago` seconds ago."""
    task_id = perform_due_schedules.enqueue().id
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(seconds=started_ago),
    )
    return task_id


def status_of(task_id: str) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


def test_only_tasks_of_workers_that_stopped_beating_are_queued_again(transactional_db):
    beat("alive")
    WorkerHeartbeat.objects.create(
        worker_id="silent",
        hostname="h",
        pid=1,
        started_at=timezone.now(),
        last_seen=timezone.now() - timedelta(minutes=5),
    )
    of_live = running_task(worker_ids=["dead", "alive"], started_ago=600)  # re-claimed by a live worker
    of_silent = running_task(worker_ids=["silent"], started_ago=600)
    of_unknown = running_task(worker_ids=["gone"], started_ago=600)  # no heartbeat row at all
    just_claimed = running_task(worker_ids=["gone"], started_ago=0)  # its worker may not have beaten yet

    assert sorted(requeue_abandoned(timeout=30, max_runs=5)) == sorted([of_silent, of_unknown])
    assert [status_of(t) for t in (of_live, of_silent, of_unknown, just_claimed)] == [
        TaskResultStatus.RUNNING,
        TaskResultStatus.READY,
        TaskResultStatus.READY,
        TaskResultStatus.RUNNING,
    ]
    assert requeue_abandoned(timeout=30, max_runs=5) == []  # nothing twice
    run_ready_tasks()  # queued again means run again
    assert status_of(of_silent) == status_of(of_unknown) == TaskResultStatus.SUCCESSFUL


def test_a_task_whose_workers_keep_dying_is_failed_not_run_again(db):
    poison = running_task(worker_ids=["w1", "w2", "w3"], started_ago=600)
    assert requeue_abandoned(timeout=30, max_runs=3) == [poison]
    row = DBTaskResult.objects.get(pk=poison)
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert row.exception_class_path == "worker.reaping.WorkerLost"
    assert row.traceback == (
        "WorkerLost: The task was started 3 times and its worker stopped (no heartbeat) each time; it is not run again."
    )


def test_stale_heartbeat_rows_are_pruned(db):
    old = timezone.now() - timedelta(hours=2)
    WorkerHeartbeat.objects.create(worker_id="old", hostname="h", pid=1, started_at=old, last_seen=old)
    beat("alive")
    requeue_abandoned(timeout=30, max_runs=5)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


@pytest.mark.postgres
def test_a_due_block_locked_during_the_sweep_is_swept_again_shortly(transactional_db):
    """The row lock of a killed worker's session (or an editor's save) made the sweep skip the block for good."""
    site = build_site()
    _user, secret = issue_token(site, username="sam", role="editor")
    api = client_with(secret)
    schema = [{"name": "title", "type": "string", "required": True}]
    body = {"name": "Promo", "type": "global", "schema": schema, "data": {"title": "Sale"}}
    assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    due = datetime.now(UTC) + timedelta(seconds=0.5)
    when = due.isoformat().replace("+00:00", "Z")
    assert api.post("/api/v1/site-blocks/promo/schedule", {"publishAt": when}, format="json").status_code == 200
    wait_until(lambda: datetime.now(UTC) > due, timeout=5, what="the publish is due")
    block = SiteBlock.objects.get(slug="promo")
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as holder:
        holder.execute("SELECT id FROM blocks_siteblock WHERE id = %s FOR UPDATE", [block.pk])
        run_ready_tasks()  # the sweep queued with the schedule runs now, and skips the locked block
        holder.rollback()
    sweeps = DBTaskResult.objects.filter(task_path="scheduling.tasks.perform_due_schedules")
    assert list(sweeps.filter(status=TaskResultStatus.SUCCESSFUL).values_list("return_value", flat=True)) == [0]
    assert SiteBlock.objects.get(pk=block.pk).status == BlockStatus.DRAFT
    [follower] = sweeps.filter(status=TaskResultStatus.READY)  # a moment later, not a busy loop
    assert timezone.now() < follower.run_after < timezone.now() + timedelta(seconds=3)
    run_worker_until(lambda: SiteBlock.objects.filter(pk=block.pk, status=BlockStatus.PUBLISHED).exists(), timeout=10)
