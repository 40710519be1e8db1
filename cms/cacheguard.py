"""A circuit breaker for the shared cache, so a Redis outage makes the service slower, never broken.

Why: the delivery API, the rate limits and the invalidations all talk to Redis on every request. When it is
unreachable, each call would raise (a 500) or wait for a connect timeout. Callers wrap their cache calls in
`guarded()`: the first failure opens the breaker for the whole process, and from then on `available()` is
False, so callers skip the cache without trying (delivery renders from the database, rate limits let the
request through, invalidations are recorded in the database instead; see `delivery.cache`).

Recovery is not left to a request: opening the breaker starts one watcher thread that probes the cache every
`CACHE_RETRY_SECONDS`; once a probe answers it runs the `recovered` hook's subscribers (wired in
`wiring/connect.py`: replay the invalidations recorded while the cache was down, forget every in-process
copy) and only then closes the breaker, so no request reads the cache before what it missed is replayed; it
runs them once more just after closing, for an invalidation recorded while it was closing. A subscriber that
fails (the cache went away again) keeps the breaker open and the watcher goes on probing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connections
from redis.exceptions import RedisError

from cms.conf import cms_setting
from cms.hooks import Hook

logger = logging.getLogger("cms.cache")

#: what an unreachable or failing cache raises: redis-py's errors, and socket errors of the near cache
CACHE_ERRORS = (RedisError, OSError)
PROBE_KEY = "cacheguard:probe"
T = TypeVar("T")

#: the cache answers again; subscribers run before any request reads it (they may raise: recovery is retried)
recovered = Hook("cms.cacheguard.recovered", after_commit=False)


class Breaker:
    """Open (skip the cache) from the first failure until a watcher thread has seen it answer again."""

    def __init__(self) -> None:
        self.open = False
        self._lock = threading.Lock()
        self._watcher_pid: int | None = None

    def available(self) -> bool:
        if not self.open:
            return True
        if self._watcher_pid != os.getpid():  # opened before a fork: this process needs a watcher of its own
            self._start_watcher()
        return False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if self.open:
                return
            self.open = True
        logger.warning(
            "Cache unreachable (%s: %s): delivery renders from the database, rate limits are not enforced and "
            "invalidations are recorded for replay, until it answers again",
            type(error).__name__,
            error,
        )
        self._start_watcher()

    def _start_watcher(self) -> None:
        with self._lock:
            if self._watcher_pid == os.getpid():
                return
            self._watcher_pid = os.getpid()
        threading.Thread(target=self._watch, name="cache-breaker", daemon=True).start()

    def reset(self) -> None:
        """Close without recovering (for tests: one test's outage must not leak into the next)."""
        with self._lock:
            self.open = False
            self._watcher_pid = None

    def _watch(self) -> None:
        try:
            while self.open:
                time.sleep(cms_setting("CACHE_RETRY_SECONDS"))
                if self.open and self.try_recover():
                    return
        finally:
            connections.close_all()  # this thread's own database connections, opened by the replay

    def try_recover(self) -> bool:
        """Probe the cache; if it answers, run the recovery subscribers and close. True once closed."""
        try:
            caches["default"].get(PROBE_KEY)
            recovered.fire()
        except Exception as error:  # any failure (cache or database) means: not recovered yet, try again
            logger.info("Cache still unavailable: %s: %s", type(error).__name__, error)
            return False
        with self._lock:
            self.open = False
            self._watcher_pid = None
        try:  # once more: a writer may have recorded an invalidation after the replay read the table
            recovered.fire()
        except Exception:
            logger.warning("Second replay after the cache came back failed", exc_info=True)
        logger.warning("Cache reachable again: recorded invalidations replayed, in-process copies dropped")
        return True


breaker = Breaker()


def guarded(call: Callable[[], T], fallback: T) -> T:
    """`call()`, or `fallback` when the cache is known down or fails now (which opens the breaker)."""
    if not breaker.available():
        return fallback
    try:
        return call()
    except CACHE_ERRORS as error:
        breaker.failed(error)
        return fallback
