"""The worker tasks: fan an event out into deliveries, and make one delivery attempt (queueing the next)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connections, router
from django_tasks import task
from django_tasks.base import Task

#: Above `deliver`'s default 0: the worker turns recorded events into deliveries (and log entries) before it
#: spends time sending, so the log fills in event order even while receivers are slow.
FAN_OUT_PRIORITY = 10


@task(priority=FAN_OUT_PRIORITY)
def fan_out(events: list) -> int:
    from webhooks.outbox import fan_out_events

    return fan_out_events(events)


@task()
def deliver(delivery_id: str) -> str | None:
    from webhooks.sending import attempt_delivery

    return attempt_delivery(delivery_id)


@task()
def watchdog(delivery_id: str, claimed_at: str) -> str | None:
    from webhooks.sending import recover_stuck

    return recover_stuck(delivery_id, claimed_at)


def enqueue_watchdog(delivery_id, claimed_at: datetime, *, at: datetime) -> None:
    watchdog.using(run_after=at).enqueue(str(delivery_id), claimed_at.isoformat())


def enqueue_delivery(delivery_id, *, at: datetime | None = None) -> None:
    (deliver.using(run_after=at) if at is not None else deliver).enqueue(str(delivery_id))


def enqueue_now(queued: Task, args_list: Sequence[Sequence]) -> None:
    """Queue `queued(*args)` for each args, to run as soon as a worker is free, in ONE `INSERT`.

    The rows are those `DatabaseBackend.enqueue` writes one `save()` at a time (django-tasks-db 0.12, pinned),
    each value prepared by its model field as the ORM does, so the worker reads them exactly alike. Why not
    `enqueue()`: it runs inside block writes (the outbox), where the ORM's per-statement work (model save,
    signals, compiling the INSERT) costs several times the insert itself, and a fan-out to N webhooks would
    pay it N times.
    """
    if not args_list:
        return
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = queued.get_backend()
    using = router.db_for_write(DBTaskResult)
    connection = connections[using]
    run_after = queued.run_after or get_date_max()  # what the backend's pre_save handler sets
    rows: list[DBTaskResult] = [
        DBTaskResult(
            id=backend._get_id(),  # type: ignore[attr-defined]  # DatabaseBackend's; typed as the base backend
            args_kwargs={"args": list(args), "kwargs": {}},  # callers pass JSON values: no normalize_json walk
            priority=queued.priority,
            task_path=queued.module_path,
            queue_name=queued.queue_name,
            run_after=run_after,
            backend_name=backend.alias,
        )
        for args in args_list
    ]
    fields = DBTaskResult._meta.concrete_fields
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(field.column) for field in fields if field.column)  # each concrete field has one
    sql = f"INSERT INTO {quote(DBTaskResult._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(rows))}"
    params = [field.get_db_prep_save(field.pre_save(row, add=True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
