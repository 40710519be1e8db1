"""Read replicas: which database a read goes to (`DATABASE_REPLICA_URLS`, docs/operations.md "Read replicas").

With replicas configured (settings add them as `replica_1`, `replica_2`…, and this router), a request that
may read from a replica does, and everything else stays on the primary (`default`):

- May: GET and HEAD under `/api/v1/` (the delivery API, its sync feed, the management API's reads), decided
  by `ReplicaMiddleware` at the start of the request. Not: the admin and editor pages (sessions, messages
  and forms that read what the last POST wrote), the worker, management commands, migrations.
- Writes always go to the primary (`db_for_write`), and once a request wrote, its later reads do too (the
  request's `wrote` flag, set by `db_for_write`). A read inside a transaction on the primary stays there.
- The replica is chosen once per request, at its first read, so one answer is read from one snapshot source.
  A replica is used only when it is up, in recovery (still a standby), no further behind than
  `DATABASE_REPLICA_MAX_LAG_SECONDS` (`pg_last_xact_replay_timestamp`, checked at most every
  `DATABASE_REPLICA_CHECK_SECONDS` per process) and has replayed every write this product committed.

Why the last condition. Delivery answers are cached under the site's generation, which a publish bumps after
its commit: a miss right after a publish, read from a replica that has not replayed the publish yet, would
cache the old answer under the new generation, stale until the next change. So every commit on the primary
that came through the ORM records the primary's WAL position (`pg_current_wal_lsn()`) in the shared cache,
before the invalidations that follow the commit run (`db_for_write` registers it as the transaction's first
on-commit callback); a replica is used only when its replay position has reached it. The same makes an
editor's read after their own write (the next request, on any app host) see that write.

When the shared cache cannot say where the primary is (unreachable), reads go to the primary: slower, never
stale. docs/decisions.md "Read replicas" says what was weighed.
"""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from cms.cacheguard import guarded
from cms.conf import cms_setting

logger = logging.getLogger("cms.db")

POSITION_KEY = "db:primary-lsn"
REPLICA_PREFIX = "replica_"
READ_METHODS = frozenset({"GET", "HEAD"})
READ_PATH_PREFIX = "/api/v1/"

STATUS_SQL = (
    "SELECT pg_is_in_recovery(),"
    " pg_wal_lsn_diff(COALESCE(pg_last_wal_replay_lsn(), '0/0'), '0/0')::bigint,"
    " CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END"
)
POSITION_SQL = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


# -- the request's state ------------------------------------------------------------------------------------
@dataclass
class RequestState:
    may_use_replica: bool
    wrote: bool = False
    decided: bool = False
    alias: str = DEFAULT_DB_ALIAS


_request: contextvars.ContextVar[RequestState | None] = contextvars.ContextVar("cms_replica_request", default=None)


class ReplicaMiddleware:
    """Opens the request's routing state; after a request that wrote outside a transaction, records where
    the primary is (a transaction's commit records it itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = RequestState(
            may_use_replica=request.method in READ_METHODS and request.path.startswith(READ_PATH_PREFIX)
        )
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote:
            note_primary_position()
        return response


def current_alias() -> str | None:
    """The alias this request reads from, once decided (None before its first read): for tests and logs."""
    state = _request.get()
    return state.alias if state is not None and state.decided else None


# -- where the primary is -----------------------------------------------------------------------------------
def note_primary_position() -> None:
    """Record the primary's WAL position in the shared cache (never lowering it): every replica read from now
    on must have replayed at least this far. A failure is logged; the write it follows stands."""
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(POSITION_SQL)
            position = int(cursor.fetchone()[0])
    except Exception:
        logger.warning("Could not read the primary's WAL position; replicas wait for the lag check", exc_info=True)
        return
    cache = caches["default"]

    def store() -> None:
        # get-then-set, not atomic: two commits racing may leave the lower of their two positions for a moment;
        # the next commit raises it again, and the lag limit bounds what a replica can miss meanwhile.
        known = cache.get(POSITION_KEY)
        if known is None or int(known) < position:
            cache.set(POSITION_KEY, position, timeout=None)

    guarded(store, None)


def primary_position() -> int | None:
    """The last position recorded, 0 when none was; None when the cache cannot say (then: the primary)."""
    missing = object()
    value = guarded(lambda: caches["default"].get(POSITION_KEY, 0), missing)
    return None if value is missing else int(value)  # type: ignore[call-overload]


# -- replica health, per process ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplicaStatus:
    checked_at: float
    up: bool
    position: int = 0
    lag: float = 0.0


_statuses: dict[str, ReplicaStatus] = {}
_lock = threading.Lock()


def check(alias: str) -> ReplicaStatus:
    """Ask the replica now: is it up, a standby, how far has it replayed, how far behind is it."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(STATUS_SQL)
            in_recovery, position, lag = cursor.fetchone()
    except Exception as error:
        _close_quietly(connection)
        status = ReplicaStatus(checked_at=time.monotonic(), up=False)
        previous = _statuses.get(alias)
        if previous is None or previous.up:
            logger.warning("Replica %s unreachable, reads go to the primary: %s", alias, str(error).strip()[:200])
    else:
        status = ReplicaStatus(
            checked_at=time.monotonic(), up=bool(in_recovery), position=int(position), lag=float(lag)
        )
        if not in_recovery:
            logger.warning("Replica %s is not in recovery (promoted?); not read from", alias)
    with _lock:
        _statuses[alias] = status
    return status


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.debug("Closing a failed replica connection failed", exc_info=True)


def status_of(alias: str) -> ReplicaStatus:
    status = _statuses.get(alias)
    if status is None or time.monotonic() - status.checked_at >= cms_setting("REPLICA_CHECK_SECONDS"):
        status = check(alias)
    return status


def choose(aliases: list[str]) -> str:
    """A replica that is up, not too far behind and past the primary's recorded position; else the primary."""
    if not aliases:
        return DEFAULT_DB_ALIAS
    needed = primary_position()
    if needed is None:
        return DEFAULT_DB_ALIAS
    max_lag = cms_setting("REPLICA_MAX_LAG_SECONDS")
    for alias in random.sample(aliases, len(aliases)):
        status = status_of(alias)
        if status.up and status.position < needed:  # replay moves on quickly: ask again before giving up
            status = check(alias)
        if status.up and status.lag <= max_lag and status.position >= needed:
            return alias
    return DEFAULT_DB_ALIAS


def forget_statuses() -> None:
    with _lock:
        _statuses.clear()


# -- the router ---------------------------------------------------------------------------------------------
class ReplicaRouter:
    """Django database router (settings add it when `DATABASE_REPLICA_URLS` is set)."""

    def db_for_read(self, model, **hints) -> str:
        state = _request.get()
        if state is None or not state.may_use_replica or state.wrote:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not state.decided:
            state.alias = choose(replica_aliases())
            state.decided = True
        return state.alias

    def db_for_write(self, model, **hints) -> str:
        state = _request.get()
        if state is not None:
            state.wrote = True
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.in_atomic_block and not any(
            entry[1] is note_primary_position for entry in connection.run_on_commit
        ):
            transaction.on_commit(note_primary_position)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
