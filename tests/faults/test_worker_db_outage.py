"""The worker outlives a database outage: a TCP proxy between it and PostgreSQL is cut for a few seconds
in the middle of a burst of tasks, then restored; every acknowledged write's task runs, the process lives.

django-tasks-db's `db_worker` exited on the first `OperationalError`, and schedules and webhooks stopped until
someone restarted it. The API (this test's own connection) reaches PostgreSQL directly and goes on
acknowledging writes while the worker is cut off.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.db import is_outage, through_outage
from tests.faults.tasks import interrupted_once
from tests.faults.tcp_proxy import TcpProxy
from tests.faults.worker_process import log_shown_on_failure, start_worker, stop_worker, wait_until, worker_env
from tests.webhooks.helpers import add_hook, site_with_block
from tests.webhooks.receiver import Receiver
from webhooks.models import DeliveryStatus, WebhookDelivery
from worker.loop import RecoveringWorker
from worker.models import WorkerHeartbeat

WRITES = 36  # each one event: one fan-out, one delivery, one send
OUTAGE_SECONDS = 4


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def sent_ids(receiver: Receiver) -> list[str]:
    return [request.headers["X-CMS-Delivery"] for request in receiver.requests]


@pytest.mark.postgres
def test_worker_survives_a_database_outage_mid_burst_and_runs_every_task(transactional_db, receiver, tmp_path):
    _site, _user, api = site_with_block()
    add_hook(api, receiver.url)
    log = tmp_path / "worker.log"
    with log_shown_on_failure(log):
        written = 0

        def write() -> None:
            nonlocal written
            response = api.put("/api/v1/site-blocks/hero/data", {"data": {"title": f"v{written}"}}, format="json")
            assert response.status_code == 200  # acknowledged: its webhook event is owed
            written += 1

        with TcpProxy(int(settings.DATABASES["default"]["PORT"])) as proxy:
            worker = start_worker(worker_env(port=proxy.port, heartbeat_timeout=3), log)
            try:
                for _ in range(WRITES // 3):
                    write()
                wait_until(lambda: len(receiver.requests) >= 3, timeout=30, what="the worker is sending")
                proxy.cut()
                cut_at = time.monotonic()
                while written < 2 * WRITES // 3:  # the burst goes on while the worker is cut off
                    write()
                wait_until(
                    lambda: "database unavailable" in log.read_text(), timeout=10, what="the worker hit the outage"
                )
                time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))  # the outage itself
                assert worker.poll() is None  # db_worker had exited here
                proxy.restore()
                while written < WRITES:
                    write()
                wait_until(
                    lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == WRITES,
                    timeout=40,
                    what=f"all {WRITES} deliveries sent",
                )
                assert worker.poll() is None
            finally:
                status = stop_worker(worker)
        assert status == 0  # alive to the end, and stopped cleanly on SIGTERM

        text = log.read_text()
        assert "database reachable again" in text
        assert proxy.refused > 0  # the worker did try to reconnect during the cut, and was refused
        # every acknowledged write: exactly one delivery, sent once, and every task it queued ran to success
        deliveries = list(WebhookDelivery.objects.values_list("pk", flat=True))
        assert len(deliveries) == WRITES
        assert sorted(sent_ids(receiver)) == sorted(str(pk) for pk in deliveries)
        tasks = DBTaskResult.objects.filter(task_path__in=["webhooks.tasks.fan_out", "webhooks.tasks.deliver"])
        assert tasks.filter(task_path="webhooks.tasks.deliver").count() == WRITES
        assert sorted(set(tasks.values_list("status", flat=True))) == [TaskResultStatus.SUCCESSFUL]


@pytest.mark.postgres
def test_outages_are_told_from_errors(transactional_db):
    """What the worker waits out (connection lost or refused) and what it records as a task failure."""
    db = settings.DATABASES["default"]
    with TcpProxy(int(db["PORT"])) as proxy:
        with psycopg.connect(host="127.0.0.1", port=proxy.port, user=db["USER"], dbname=db["NAME"]) as conn:
            proxy.cut()
            with pytest.raises(psycopg.OperationalError) as lost:
                conn.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError) as refused:
            psycopg.connect(host="127.0.0.1", port=proxy.port, user=db["USER"], dbname=db["NAME"], connect_timeout=5)
    for cause in (lost.value, refused.value):
        wrapped = OperationalError(str(cause))
        wrapped.__cause__ = cause
        assert is_outage(wrapped)
    assert is_outage(InterfaceError("connection already closed"))

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        with pytest.raises(OperationalError) as timed_out:  # query_canceled 57014: waiting will not help
            cursor.execute("SELECT pg_sleep(1)")
        cursor.execute("SET statement_timeout = 0")
    assert not is_outage(timed_out.value)
    with pytest.raises(DatabaseError) as missing, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    assert not is_outage(missing.value)


def run_in_process(worker_id: str) -> None:
    """The real `run_worker` loop in this process, once through the queue (`--batch`)."""
    RecoveringWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        heartbeat_timeout=30,
        max_task_runs=5,
    ).run()


def test_a_task_cut_off_by_an_outage_runs_again_instead_of_failing(transactional_db, tmp_path):
    """SQLite and PostgreSQL: an outage inside a task is waited out and the task run again; db_worker failed it."""
    marker = tmp_path / "runs"
    result = interrupted_once.enqueue(str(marker), "database is locked")
    run_in_process("w1")
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value, row.worker_ids) == (TaskResultStatus.SUCCESSFUL, "done in 2 runs", ["w1"] * 2)
    assert not WorkerHeartbeat.objects.exists()  # the worker stopped and removed its heartbeat


def test_a_database_error_that_is_no_outage_fails_the_task_as_before(transactional_db, tmp_path):
    result = interrupted_once.enqueue(str(tmp_path / "runs"), "no such table: nothing")
    run_in_process("w1")
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.FAILED, ["w1"])
    assert row.exception_class_path == "django.db.utils.OperationalError"
    assert row.traceback.strip().endswith("django.db.utils.OperationalError: no such table: nothing")


def test_through_outage_runs_the_work_again_after_an_outage_and_only_then(monkeypatch):
    """What records a webhook attempt's outcome after its request went out: a short cut must not lose it."""
    monkeypatch.setattr("cms.db.time.sleep", lambda seconds: None)  # the backoff's waits, not what is tested
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return "recorded"

    assert through_outage(flaky, give_up_after=60) == "recorded" and len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise OperationalError("no such table: nothing")

    calls.clear()
    with pytest.raises(OperationalError, match="no such table"):
        through_outage(broken, give_up_after=60)
    assert len(calls) == 1  # not an outage: no second try

    def away() -> None:
        raise InterfaceError("connection already closed")

    with pytest.raises(InterfaceError):
        through_outage(away, give_up_after=0)  # gives up once the time is spent
