"""Running the real task worker (django-tasks-db's `db_worker` loop) from a test, in the test's own thread.

`run_worker_until(check)` polls the queue like `db_worker --interval` does, until `check()` is true: what is
tested is the real claim/run path of the queue, with no sleeping longer than the poll interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django_tasks_db.management.commands.db_worker import Worker


def run_ready_tasks(worker_id: str = "test-worker") -> None:
    """One pass of the worker: run every task that is ready now, then return (`db_worker --batch`)."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
    ).run()


def run_worker_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> float:
    """Run the worker every `interval` until `check()` holds; the seconds it took. Fails after `timeout`."""
    started = time.monotonic()
    while True:
        run_ready_tasks()
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout}s of running the worker")
        time.sleep(interval)
