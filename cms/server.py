"""The production server command: granian (a Rust HTTP front) running Django's WSGI app.

    python -m cms.server          # what `make serve` runs; tests and benchmarks start exactly this

Why granian (docs/decisions.md "Cache outages and the production server", figures from `bench/servers.py`):
its Rust front (hyper) reads each request head on an event loop and calls Python only once the head is
complete, so a client that sends its head slowly, or never finishes it, holds a socket and a small buffer,
never a Python thread. gunicorn's sync workers each belonged to one such client until its timeout: two
half-sent requests stalled a 2-worker server. Left open: the body is streamed to the view (WSGI), so a body
sent slowly to a view that reads it holds that thread (docs/decisions.md says where, and what it would cost).

Read from the environment, so one command serves every machine:
  HOST, PORT     where to listen (127.0.0.1:8000)
  WEB_WORKERS    worker processes (default: 1 per CPU core)
  WEB_THREADS    Python threads per worker that run requests (default 2; slow clients never hold one)
  ACCESS_LOG     `1` or `-`: an access log on stdout (default); empty or `0`: none

Why 1 worker per core with 2 threads rather than 2 single-threaded workers per core (the same 4 request slots
on 2 cores): measured with `bench/delivery.py` on PostgreSQL, the cache-hit paths are equal within the run's
noise, and a miss, whose database round trip blocks its thread, serves 15-20% more: the other thread of the
process runs meanwhile, instead of the kernel switching to another process (docs/decisions.md).

Limits on what a client may send before Python sees it (refused by granian itself, with a bare status and no
body, since no Python code runs for them; everything under them reaches Django and its JSON envelope, e.g.
a 20 KB `?path=` is the API's 400):
  MAX_HEAD_BYTES     request line and headers together; a larger head is 431
  (request target)   hyper's own cap, about 64 KB: a longer URL is 414
  HEAD_TIMEOUT_MS    time to send the whole head; then the connection is closed
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Mapping

MAX_HEAD_BYTES = 64 * 1024
HEAD_TIMEOUT_MS = 10_000


def workers(env: Mapping[str, str] = os.environ) -> int:
    return int(env.get("WEB_WORKERS") or multiprocessing.cpu_count())


def threads(env: Mapping[str, str] = os.environ) -> int:
    return int(env.get("WEB_THREADS") or 2)


def command(env: Mapping[str, str] = os.environ) -> list[str]:
    """The granian command line for this environment."""
    access_log = env.get("ACCESS_LOG", "-") not in ("", "0")
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        env.get("HOST", "127.0.0.1"),
        "--port",
        env.get("PORT", "8000"),
        "--workers",
        str(workers(env)),
        "--blocking-threads",
        str(threads(env)),
        "--http",
        "1",  # the limits below are HTTP/1's; HTTP/2 would bring its own (16 MB of headers by default)
        "--no-ws",
        "--http1-buffer-size",
        str(MAX_HEAD_BYTES),
        "--http1-header-read-timeout",
        str(HEAD_TIMEOUT_MS),
        "--respawn-failed-workers",
        "--access-log" if access_log else "--no-access-log",
        "--log-level",
        env.get("LOG_LEVEL", "info").lower(),
        "wiring.wsgi:application",
    ]


def main() -> None:
    argv = command()
    os.execv(argv[0], argv)  # granian takes this process (its signals, its pid)


if __name__ == "__main__":
    main()
