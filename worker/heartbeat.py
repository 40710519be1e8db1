"""The worker's heartbeat thread: it says "alive" every few seconds and re-queues the tasks of dead workers.

A thread of its own, with its own database connection, so the heartbeat goes on while the main thread runs a
long task (a webhook send waiting for its deadline, a large publish): a worker is taken for dead only when
its whole process is gone or frozen, never because one task is slow. Every beat is followed by a reaping
pass (`worker.reaping.requeue_abandoned`), so abandoned tasks are back in the queue within
timeout + timeout/3 of their worker's last beat, as long as any worker runs.

After a database outage nobody could beat: every worker looks dead for a moment. So a worker reaps only
once its own beats have gone through for a whole timeout (`healthy_since`), which gives every live worker
the same time to beat again first.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import connections
from django.db.models.functions import Now
from django.utils import timezone

from cms.db import close_broken_connections, describe, is_outage
from worker.models import WorkerHeartbeat
from worker.reaping import requeue_abandoned

logger = logging.getLogger("cms.worker")


class Heartbeat:
    """Beats `worker_id`'s row every `timeout / 3` seconds and reaps, until `stop()`."""

    def __init__(self, worker_id: str, *, timeout: float, max_runs: int) -> None:
        self.worker_id = worker_id
        self.timeout = timeout
        self.max_runs = max_runs
        self.interval = max(timeout / 3, 0.2)
        self.healthy_since: float | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {worker_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the thread, then delete the row: a worker that stops on purpose is not waited for."""
        self._stopping.set()
        self._thread.join(timeout=self.interval + 30)
        try:
            WorkerHeartbeat.objects.filter(pk=self.worker_id).delete()
        except Exception as exc:  # the database is away: the row goes stale and is judged like a dead worker's
            logger.warning("Worker %s could not remove its heartbeat: %s", self.worker_id, exc)

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self.tick()
                self._stopping.wait(self.interval)
        finally:
            connections.close_all()  # this thread's own connections

    def tick(self) -> None:
        """One beat and, once healthy for a whole timeout, one reaping pass. Never raises: the thread lives on."""
        try:
            beat(self.worker_id)
            now = time.monotonic()
            if self.healthy_since is None:
                self.healthy_since = now
            if now - self.healthy_since >= self.timeout:
                requeue_abandoned(timeout=self.timeout, max_runs=self.max_runs)
        except Exception as exc:
            if self.healthy_since is not None or not is_outage(exc):
                log = logger.warning if is_outage(exc) else logger.exception
                log(
                    "Worker %s heartbeat failed (retrying every %.1f s): %s",
                    self.worker_id,
                    self.interval,
                    describe(exc),
                )
            self.healthy_since = None
            close_broken_connections()


def beat(worker_id: str) -> None:
    """Stamp the row with the database's clock (create it on the first beat, or if it was pruned)."""
    if not WorkerHeartbeat.objects.filter(pk=worker_id).update(last_seen=Now()):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=timezone.now(),
            last_seen=Now(),
        )
