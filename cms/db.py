"""Telling a database outage from a database error, for the code that must outlive an outage (the worker).

A process that keeps running through a restart of PostgreSQL, a network cut or a failover sees the outage
as Django's `OperationalError` or `InterfaceError`. So does a statement timeout, a full disk or a missing
table, which no amount of waiting fixes. `is_outage(exc)` says which is which, from the SQLSTATE the server
(or the driver, for a connection it lost) gave: the worker waits and runs the work again after an outage,
and records a failure for anything else.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger("cms.db")
T = TypeVar("T")

#: SQLSTATEs that mean "the database went away or could not take the work now", not "the work is wrong":
#: class 08 (connection exception), the server shutting down or starting (57P01-57P03), too many
#: connections (53300), and class 40 (deadlock, serialization failure: the transaction may simply run again).
OUTAGE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "53300", "40")

#: SQLite's words for a busy database file (another process holds the write lock past the busy timeout).
SQLITE_BUSY_WORDS = ("database is locked", "database table is locked")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) is a lost or refused database connection, or a retryable conflict.

    psycopg reports a connection it lost itself (server closed it, reset, refused) with no SQLSTATE; the
    server reports shutdowns and conflicts with one of `OUTAGE_SQLSTATE_PREFIXES`.
    """
    if isinstance(exc, InterfaceError):  # "connection already closed": the driver gave up on it
        return True
    # The driver's own error, as Django wraps it, or bare where Django does not wrap (closing a connection).
    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        names = {klass.__name__ for klass in type(cause).__mro__}
        if "InterfaceError" in names:
            return True
        if "OperationalError" not in names:
            return False
        sqlstate = getattr(cause, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(OUTAGE_SQLSTATE_PREFIXES)
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    return any(words in message for words in SQLITE_BUSY_WORDS)


def during_commit(exc: BaseException) -> bool:
    """True when `exc` was raised while a transaction was being committed (Django's `commit`): the COMMIT may
    have reached the server and taken effect though its answer was lost, so the outcome is unknown (an
    in-doubt commit), unlike a failure before it, which left nothing behind."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        trace = current.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code
            if code.co_name in ("commit", "_commit") and "django/db/backends" in code.co_filename.replace("\\", "/"):
                return True
            trace = trace.tb_next
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """`ClassName: first line of the message`, for one-line log entries (psycopg's run to three lines)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def close_broken_connections() -> None:
    """Drop this thread's database connections, so the next query opens a fresh one.

    After an outage a connection may be half dead (the socket gone, a transaction aborted); Django would
    keep handing it out. Closing a dead connection can itself fail: that is ignored, the object is reset.
    """
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # the socket is already gone; close() still resets the wrapper
            logger.debug("closing a broken database connection failed", exc_info=True)


def backoff_delays(*, first: float = 0.5, longest: float = 10.0) -> Iterator[float]:
    """Seconds to wait before each retry: doubling from `first` up to `longest`, with +-20 % jitter so that
    workers cut off together do not reconnect in lockstep."""
    delay = first
    while True:
        yield delay * random.uniform(0.8, 1.2)  # jitter, not a secret
        delay = min(delay * 2, longest)


def through_outage(work: Callable[[], T], *, give_up_after: float) -> T:
    """`work()`, run again after a database outage (connections closed, backoff) for up to `give_up_after` s.

    For a short write that must land after something that cannot be undone, e.g. a webhook attempt's outcome
    after the request went out: without it, a cut of a few seconds would lose the outcome. `work` must be
    safe to run twice (a transaction, or a compare-and-set): its first commit may have gone through unseen.
    """
    started = time.monotonic()
    delays = backoff_delays()
    failed = False
    while True:
        try:
            result = work()
        except Exception as exc:
            delay = next(delays)
            if not is_outage(exc) or time.monotonic() - started + delay > give_up_after:
                raise
            logger.warning("database unavailable (%s); trying again in %.1f s", describe(exc), delay)
            close_broken_connections()
            time.sleep(delay)
            failed = True
            continue
        if failed:
            logger.warning("database reachable again after %.1f s", time.monotonic() - started)
        return result
