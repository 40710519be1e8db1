"""Putting back in the queue the tasks whose worker died, so each task runs at least once.

django-tasks-db marks a task `RUNNING` when a worker claims it and `SUCCESSFUL`/`FAILED` when it ends; a
worker killed in between (SIGKILL, out of memory, machine lost) leaves it `RUNNING`, and no worker takes a
`RUNNING` task. Here a task is abandoned when the last worker that claimed it (`worker_ids[-1]`) has no
heartbeat newer than the timeout (`WORKER_HEARTBEAT_TIMEOUT_SECONDS`) and it was claimed before that too
(a task claimed by a worker that keeps no heartbeat, e.g. a test running the worker in process, gets that
long before it is judged). An abandoned task goes back to `READY`, as it was queued, and the next free
worker runs it again: our tasks are idempotent (docs/decisions.md says why each one is).

A task that has already been claimed `WORKER_MAX_TASK_RUNS` times is failed instead (`WorkerLost`): a task
that kills its worker each time (runs out of memory, crashes the interpreter) must not take down every
worker in turn for ever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from worker.models import WorkerHeartbeat

logger = logging.getLogger("cms.worker")

#: Heartbeat rows of workers gone this long are deleted (their tasks were re-queued long before).
STALE_ROWS_KEPT_SECONDS = 3600


class WorkerLost(Exception):
    """Recorded as the error of a task failed because its workers kept dying while running it."""


def requeue_abandoned(*, timeout: float, max_runs: int) -> list[str]:
    """Re-queue (or fail, past `max_runs` claims) every task whose worker stopped beating; their ids."""
    cutoff = Now() - timedelta(seconds=timeout)
    with transaction.atomic():
        alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
        running = DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - timedelta(seconds=timeout))
        if connection.features.has_select_for_update_skip_locked:  # two reapers never handle one task
            running = running.select_for_update(skip_locked=True)
        abandoned = [row for row in running if not row.worker_ids or row.worker_ids[-1] not in alive]
        done = [_put_back(row, max_runs=max_runs, why="its worker stopped (no heartbeat)") for row in abandoned]
        WorkerHeartbeat.objects.filter(last_seen__lt=Now() - timedelta(seconds=STALE_ROWS_KEPT_SECONDS)).delete()
    return [task_id for task_id in done if task_id]


def requeue_own(worker_id: str, *, max_runs: int) -> list[str]:
    """Re-queue the tasks this worker had claimed when the database went away: it is running none of them now.

    Called by the worker once the database is back. A task interrupted by the outage stayed `RUNNING` under
    this (live, beating) worker's id, where no reaper would ever look; so would a claim whose commit the
    outage cut off after the server had made it.
    """
    with transaction.atomic():
        running = [row for row in DBTaskResult.objects.running() if row.worker_ids[-1:] == [worker_id]]
        done = [_put_back(row, max_runs=max_runs, why="the database went away while it ran") for row in running]
    return [task_id for task_id in done if task_id]


def _put_back(row: DBTaskResult, *, max_runs: int, why: str) -> str | None:
    """`READY` again (or `FAILED` past `max_runs`), only if it is still `RUNNING` as read: its id, else None."""
    runs = len(row.worker_ids)
    still_running = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
    if runs >= max_runs:
        message = f"The task was started {runs} times and {why} each time; it is not run again."
        changed = still_running.update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{WorkerLost.__qualname__}: {message}",
            return_value=None,
        )
        if changed:
            logger.error("Task %s (%s): %s", row.pk, row.task_path, message)
    else:
        changed = still_running.update(status=TaskResultStatus.READY)
        if changed:
            logger.warning(
                "Task %s (%s) queued again: %s (run %s of at most %s)", row.pk, row.task_path, why, runs, max_runs
            )
    return str(row.pk) if changed else None
