"""One heartbeat row per running worker process: how the other workers know it is alive."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A worker's last sign of life, written by the worker every few seconds with the database's clock.

    `last_seen` is the database's `now()`, not the worker's clock, so workers on machines whose clocks
    disagree still judge each other right. A worker that stops gracefully deletes its row; a row left
    behind is a worker that died (its running tasks are queued again, `worker.reaping`), and is removed
    once it is old (`STALE_ROWS_KEPT_SECONDS`).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.worker_id} (last seen {self.last_seen:%Y-%m-%d %H:%M:%S})"
