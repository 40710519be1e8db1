"""`manage.py run_worker`: run the queued tasks (scheduled publishing, webhooks) until stopped.

Use it instead of django-tasks-db's `db_worker`, which leaves the task of a killed worker `RUNNING` for ever
and exits on the first database outage (see `worker.loop`). Run one or more, under a supervisor that starts
them again if they exit (`make run` does; `deploy/systemd/cms-worker.service` in production). Every worker
gets a new id (host, pid, random), so a restarted worker is never mistaken for the one that died.
"""

from __future__ import annotations

import os
import secrets
import socket
from argparse import ArgumentParser

from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import valid_interval

from cms.conf import cms_setting
from worker.loop import RecoveringWorker


def new_worker_id() -> str:
    """`host-pid-random`, at most 64 characters (django-tasks-db's limit)."""
    suffix = f"-{os.getpid()}-{secrets.token_hex(4)}"
    return socket.gethostname()[: 64 - len(suffix)] + suffix


class Command(BaseCommand):
    help = "Run the task worker: heartbeats, tasks of dead workers run again, database outages waited out."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait when no task is ready before looking again (default: 1).",
        )
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="Queues to take tasks from, comma-separated; '*' for all (default: %(default)s).",
        )
        parser.add_argument("--batch", action="store_true", help="Run every ready task, then exit.")
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Do not wait a random fraction of a second before the first poll.",
        )

    def handle(self, *, interval: float, queue_name: str, batch: bool, startup_delay: bool, **options) -> None:
        worker = RecoveringWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=startup_delay,
            max_tasks=None,
            worker_id=new_worker_id(),
            heartbeat_timeout=float(cms_setting("WORKER_HEARTBEAT_TIMEOUT_SECONDS")),
            max_task_runs=max(1, int(cms_setting("WORKER_MAX_TASK_RUNS"))),
        )
        worker.configure_signals()  # SIGTERM/SIGINT: finish the task at hand, then stop; twice: stop now
        worker.run()
