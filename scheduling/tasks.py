"""The worker's side of scheduling: a task that performs every due schedule.

Setting a schedule enqueues this task with `run_after` = the scheduled time, so the queue (django-tasks'
database backend and its worker, `run_worker`) does the waiting. The task takes no arguments and performs *every*
due schedule, so duplicate, late or retried runs are harmless, and `manage.py run_schedules` can catch up
after an outage.

A due block that another transaction holds locked when the sweep comes (another worker's sweep, an editor's
save, the connection of a worker killed inside that very publish) is skipped, not waited for; so a sweep
that leaves due blocks behind queues another a few seconds later, or they would wait for a sweep nobody
queued. A sweep killed with its worker is run again by another worker (`worker.reaping`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from scheduling.performing import due_blocks, perform_due_releases
from scheduling.performing import perform_due_schedules as perform

#: When a sweep left due blocks behind (locked by another transaction), the next sweep comes this much later.
LOCKED_RETRY_SECONDS = 2


@task()
def perform_due_schedules() -> int:
    """Every due block schedule, then every due release (`scheduling.releases`)."""
    now = timezone.now()
    done = perform(now)
    released = perform_due_releases(now)
    if due_blocks(now).exclude(pk__in={pk for pk, _ in done}).exists():
        enqueue_sweep_at(timezone.now() + timedelta(seconds=LOCKED_RETRY_SECONDS))
    return len(done) + len(released)


def enqueue_sweep_at(when: datetime) -> None:
    perform_due_schedules.using(run_after=when).enqueue()
