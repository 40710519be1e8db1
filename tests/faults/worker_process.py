"""Starting the real task worker (`manage.py run_worker`) as a process of its own, on the test database.

The fault tests kill it, cut its database connection and start it again, so it must be a real process, not
the in-process loop of `tests/worker.py`. It uses the test settings (webhooks may target loopback) and the
test database, reached directly or through a `TcpProxy` port; its log goes to a file the test can read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def worker_env(*, port: int | None = None, heartbeat_timeout: int = 2, **extra: str) -> dict[str, str]:
    """The environment of a worker on this test's PostgreSQL database (through `port` when given)."""
    db = settings.DATABASES["default"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{port or db['PORT']}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        CMS_WORKER_HEARTBEAT_TIMEOUT=str(heartbeat_timeout),
        LOG_LEVEL="INFO",
        **extra,
    )
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`manage.py run_worker`, polling every 0.1 s, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process: subprocess.Popen) -> int:
    """SIGTERM (the worker finishes its task and exits 0), SIGKILL after 15 s; its exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_until(check: Callable[[], object], *, timeout: float, what: str, every: float = 0.05) -> float:
    """Poll `check()` until it is true; the seconds it took. Fails with `what` after `timeout` seconds."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(every)
    return time.monotonic() - started


@contextmanager
def log_shown_on_failure(log: Path) -> Iterator[None]:
    """A failed assertion inside carries the end of the workers' log: what they did is the diagnosis."""
    try:
        yield
    except AssertionError as exc:
        text = log.read_text() if log.exists() else "(no log)"
        raise AssertionError(f"{exc}\n--- workers' log (end) ---\n{text[-8000:]}") from exc
