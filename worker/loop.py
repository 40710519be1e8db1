"""The worker loop: django-tasks-db's `Worker`, with a heartbeat and a database outage waited out.

The loop is django-tasks-db's (0.12, pinned): take the first ready task under `SELECT … FOR UPDATE SKIP
LOCKED`, mark it `RUNNING` with this worker's id, run it, record `SUCCESSFUL` or `FAILED`. What differs:

- a `Heartbeat` thread beats this worker's row and re-queues the tasks of dead workers (`worker.heartbeat`);
- a database outage (`cms.db.is_outage`: connection lost or refused, server restarting, deadlock) anywhere
  in the loop, inside a task or while recording its result, does not end the process, as it ends
  `db_worker`: the broken connections are closed, the worker waits (0.5 s doubling to 10 s, logged each
  time) and tries again; once the database answers, the tasks it had claimed go back to the queue
  (`worker.reaping.requeue_own`), so the task the outage interrupted runs again instead of being recorded
  as failed or left `RUNNING`;
- a task that fails for any other reason is recorded `FAILED`, as before (a retry is the task's business);
- a worker stopped by force mid-task (a second Ctrl+C or SIGTERM) puts that task back in the queue.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator

from django.core.exceptions import SuspiciousOperation
from django.db import close_old_connections
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from cms.db import backoff_delays, close_broken_connections, describe, is_outage
from worker.heartbeat import Heartbeat
from worker.reaping import requeue_own

logger = logging.getLogger("cms.worker")


class RecoveringWorker(Worker):
    """`db_worker`'s worker that beats a heartbeat, survives database outages and re-runs interrupted tasks."""

    def __init__(self, *, heartbeat_timeout: float, max_task_runs: int, **options) -> None:
        super().__init__(**options)
        self.max_task_runs = max_task_runs
        self.heartbeat = Heartbeat(self.worker_id, timeout=heartbeat_timeout, max_runs=max_task_runs)
        self._delays: Iterator[float] | None = None  # set while the database is away
        self._outage_started = 0.0

    def run(self) -> None:
        logger.info("Starting worker %s, queues %s", self.worker_id, ",".join(self.queue_names))
        self.heartbeat.start()
        try:
            if self.startup_delay and self.interval:
                time.sleep(random.random())  # spreads workers started together, as db_worker does
            self._loop()
        finally:
            self._give_back_claimed()
            self.heartbeat.stop()
            close_broken_connections()
            logger.info("Worker %s stopped", self.worker_id)

    def _loop(self) -> None:
        while self.running:
            try:
                if self._delays is not None:  # the database was away: what we had claimed runs again
                    requeue_own(self.worker_id, max_runs=self.max_task_runs)
                    self._back()
                claimed = self.claim_next()
                if claimed is not None:
                    self.run_task(claimed)
            except Exception as exc:  # the database's errors, Django's or the driver's own
                if not is_outage(exc):
                    raise
                self._wait_out(exc)
                continue
            if self.batch and claimed is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()  # as django-tasks-db does: drop expired connections between tasks
            if self.running and claimed is None:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """Take the first ready task and mark it `RUNNING` under this worker's id, in one short transaction."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            claimed = tasks.get_locked()
            if claimed is not None:
                claimed.claim(self.worker_id)
        return claimed

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task; record its outcome. An outage (in the task or while recording) propagates."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except (KeyboardInterrupt, SystemExit):
            raise  # stopped by force: `run` gives the task back to the queue on the way out
        except BaseException as exc:
            if is_outage(exc):
                raise
            self._record_failure(db_task_result, exc)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _record_failure(self, db_task_result: DBTaskResult, exc: BaseException) -> None:
        """What django-tasks-db does with a task that raised: `FAILED` with its traceback, `task_finished` sent."""
        db_task_result.set_failed(exc)
        try:
            sender = type(db_task_result.task.get_backend())
            task_result = db_task_result.task_result
        except (ImportError, SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        else:
            task_finished.send(sender=sender, task_result=task_result)

    def _wait_out(self, exc: BaseException) -> None:
        if self._delays is None:
            self._delays = backoff_delays()
            self._outage_started = time.monotonic()
        delay = next(self._delays)
        logger.warning("Worker %s: database unavailable (%s); retrying in %.1f s", self.worker_id, describe(exc), delay)
        close_broken_connections()
        time.sleep(delay)

    def _back(self) -> None:
        logger.warning(
            "Worker %s: database reachable again after %.1f s", self.worker_id, time.monotonic() - self._outage_started
        )
        self._delays = None

    def _give_back_claimed(self) -> None:
        """On the way out, a task still `RUNNING` under this worker (stopped by force mid-task) is queued again."""
        try:
            requeue_own(self.worker_id, max_runs=self.max_task_runs)
        except Exception as exc:  # the database is away: the reaper of another worker will do it
            logger.warning("Worker %s could not give back its claimed tasks: %s", self.worker_id, exc)
