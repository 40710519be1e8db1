"""The task worker: `manage.py run_worker`, django-tasks-db's worker made to survive what kills it.

django-tasks-db's `db_worker` runs the queued tasks (scheduled publishing, webhook fan-outs and sends) but
leaves a task `RUNNING` for ever when its process dies, and exits on the first lost database connection.
This app wraps its `Worker` (`loop.py`): each worker beats a heartbeat row (`models.WorkerHeartbeat`,
`heartbeat.py`) from a thread of its own, and any worker puts back in the queue the tasks of a worker whose
heartbeat stopped (`reaping.py`); a database outage is waited out with backoff, and the task it interrupted
runs again. Tasks therefore run at least once: every task of the project is idempotent (docs/decisions.md).
It imports no app: it finds tasks by their path, as django-tasks does.
"""
