"""Queueing many runs of one task in a single `INSERT`, for the writes that queue work inside a transaction.

Used by the outbox (one `fan_out` row inside a block write) and by the fan-out (one `deliver` row per new
delivery). It knows django-tasks' database backend, nothing of webhooks: callers hand it the task.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult, get_date_max


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
    backend = queued.get_backend()
    using = router.db_for_write(DBTaskResult)
    connection = connections[using]
    run_after = queued.run_after or get_date_max()  # what the backend's pre_save handler sets
    rows: list[DBTaskResult] = [
        DBTaskResult(
            # django-tasks-db's own id maker; its base class in the stubs does not declare it
            id=backend._get_id(),  # type: ignore[attr-defined]
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
    sql = (
        f"INSERT INTO {quote(DBTaskResult._meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)}) "
        f"VALUES {', '.join([one] * len(rows))}"
    )
    params = [field.get_db_prep_save(field.pre_save(row, add=True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
