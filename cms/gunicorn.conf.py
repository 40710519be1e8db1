"""Gunicorn settings for production serving (`make serve`, the benchmark and the two-server test use it).

Read from the environment so one file serves every machine:
  HOST, PORT       where to listen (127.0.0.1:8000)
  WEB_WORKERS      worker processes (default: 2 per CPU core)
  WEB_THREADS      threads per worker (default 1: sync workers; >1 switches to the gthread worker)
  ACCESS_LOG       access log target, `-` for stdout, empty for none (default `-`)

`limit_request_line = 0` lifts gunicorn's 4094-byte cap on the request line, so a long query string (a huge
`?path=`) reaches Django and gets the API's JSON envelope instead of gunicorn's bare HTML 400.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS") or 2 * multiprocessing.cpu_count())
threads = int(os.environ.get("WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
accesslog = os.environ.get("ACCESS_LOG", "-") or None
limit_request_line = 0
keepalive = 5
