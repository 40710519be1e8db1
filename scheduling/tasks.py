"""The worker's side of scheduling: a task that performs every due schedule.

Setting a schedule enqueues this task with `run_after` = the scheduled time, so the queue (django-tasks'
database backend and its `db_worker`) does the waiting. The task takes no arguments and performs *every*
due schedule, so duplicate, late or retried runs are harmless, and `manage.py run_schedules` can catch up
after an outage.
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from scheduling.performing import perform_due_schedules as perform


@task()
def perform_due_schedules() -> int:
    return len(perform())


def enqueue_sweep_at(when: datetime) -> None:
    perform_due_schedules.using(run_after=when).enqueue()
