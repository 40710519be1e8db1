"""Answers rendered at publish (`delivery.models.RenderedAnswer`): the one-query read a cache miss makes.

Why: a miss used to load the block's rows, resolve its data sources and encode its JSON, on every miss (after a
deploy, a publish burst, for the long tail). Publishing renders the answer once (`delivery.prerender`), so a
miss is `find`: ONE indexed query (`site, kind, ident, locale IN chain`, the unique index) returning the bytes,
their gzip and ETag, served as they are.

Locale fallback: each block row's answer is stored once, in its own locale, and never per requested locale;
the query asks for every locale of the request's chain and the earliest one wins, as `best_in_chain` does for
live rows. So a fallback answer costs the same single query, and a locale or fallback change renders nothing
again for plain blocks (their bytes do not depend on it).

`find` answers None, and the caller renders at read time as before, whenever the stored row cannot be trusted
to be the live answer: no row in the chain (never published, or not rendered yet: run `rebuild_delivery`
after upgrading), the best row `dynamic` (its dataSource fields are resolved at read time) or `stale` (a site
or locale change awaits the worker), or outside its time window (before its publish time, past its expiry).
A 404 therefore still takes the read-time path, which confirms it.
"""

from __future__ import annotations

import struct
import time
import weakref

from django.db import InterfaceError, OperationalError, connections, router
from psycopg import pq

from blocks.published import PUBLISH_CLOCK_SLACK
from cms.conf import cms_setting
from delivery.cache import Entry
from delivery.models import RenderedAnswer

_TABLE = RenderedAnswer._meta.db_table
SLACK_SECONDS = PUBLISH_CLOCK_SLACK.total_seconds()  # a publish time a little ahead of this clock is live
_COLUMNS = "locale, status, body, gzipped, etag, keys, live_from, expires_at, dynamic, stale"


def _sql(locales: int, marks: list[str] | None = None) -> str:
    """The query for a chain of `locales` locales: the best row of the chain only (its bytes are all a miss
    sends; the others' would cross the wire for nothing). `marks` names the `3 + locales` parameters; without
    it they are positional (`%s`) and the chain is sent twice (`_positional`), for the order."""
    marks = marks or ["%s"] * (3 + 2 * locales)
    chain, rank = marks[3 : 3 + locales], marks[3 + locales :] or marks[3 : 3 + locales]
    best = " ".join(f"WHEN {mark} THEN {index}" for index, mark in enumerate(rank))
    return (
        f"SELECT {_COLUMNS} FROM {_TABLE} "  # the table and column names are constants
        f"WHERE site_id = {marks[0]} AND kind = {marks[1]} AND ident = {marks[2]} "
        f"AND locale IN ({', '.join(chain)}) ORDER BY CASE locale {best} END LIMIT 1"
    )


def _positional(params: list) -> list:
    """The parameters for positional marks: the chain again, for the order."""
    return [*params, *params[3:]]


def _rows(alias: str, params: list) -> list[tuple]:
    """The query's rows, on the driver itself when this thread's connection is open and idle.

    Why not Django's cursor: on PostgreSQL it first runs the request's health check (`CONN_HEALTH_CHECKS`: a
    `SELECT 1` round trip before the first query of each request), and its wrappers cost more than the
    query; on a miss this query is the request's only one, so that was half of its database time. The check
    is kept in substance: if the query fails because the server dropped the connection, the connection is
    closed and the query runs once more on a new one (it only reads). Django's cursor is used as before
    inside a transaction, when queries are being logged (DEBUG, tests counting queries), to connect, and to
    report any other error.
    """
    connection = connections[alias]
    if connection.connection is not None and not connection.in_atomic_block and not connection.queries_logged:
        try:
            with connection.wrap_database_errors:  # Django's exceptions, and its note of a failed connection
                if connection.vendor == "postgresql":
                    rows = _postgres_rows(connection.connection, params)
                    if rows is not None:
                        return rows
                else:  # sqlite3 binds `?`
                    cursor = connection.connection.cursor()
                    try:
                        cursor.execute(_sql(len(params) - 3, ["?"] * (2 * len(params) - 3)), _positional(params))
                        return cursor.fetchall()
                    finally:
                        cursor.close()
        except (OperationalError, InterfaceError):
            if connection.is_usable():
                raise
            connection.close()  # the server closed it (restart, idle timeout): a new one below
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(params) - 3), _positional(params))
        return cursor.fetchall()


# -- PostgreSQL: libpq itself ----------------------------------------------------------------------------------
# Why libpq (psycopg's `pq` layer) and not a psycopg cursor: measured on this query (bench/delivery.py's
# site, a chain of 2 locales), Django's client-side-binding cursor cost the app ~70 us of CPU and PostgreSQL
# ~90 us (a parse and plan each time); a statement prepared once per connection and run with
# `exec_prepared`, binary results decoded here, ~33 us and ~45 us. On a miss this query is nearly all the work.
#: per psycopg connection (each used by one thread at a time): {chain length: prepared and usable}
_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: the result's column types (PostgreSQL type OIDs), in `_COLUMNS` order, as the decoding below reads them
_TYPES = ((1043, 25), (21,), (17,), (17,), (1043, 25), (25, 1043), (701,), (701,), (16,), (16,))
_INT2 = struct.Struct("!h").unpack
_FLOAT8 = struct.Struct("!d").unpack
_TRUE = b"\x01"


def _postgres_rows(raw, params: list) -> list[tuple] | None:
    """The rows, or None to leave the query to Django's cursor (the connection is in a transaction, the
    statement failed, or the table's columns are not the types decoded here: that cursor reads them, or
    reports the error). Raises if the connection is lost."""
    pgconn = raw.pgconn
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return None
    locales = len(params) - 3
    values = [str(params[0]).encode(), *(value.encode() for value in params[1:])]  # the rest are strings
    name = None
    if cms_setting("DELIVERY_PREPARED_STATEMENTS"):
        prepared = _statements.get(raw)
        if prepared is None:
            prepared = _statements[raw] = {}
        name = b"cms_rendered_answer_%d" % locales
        usable = prepared.get(locales)
        if usable is None:
            usable = prepared[locales] = _prepare(pgconn, name, locales)
        if not usable:
            return None
        result = pgconn.exec_prepared(name, values, result_format=pq.Format.BINARY)
    else:
        result = pgconn.exec_params(_numbered_sql(locales), values, result_format=pq.Format.BINARY)
        if result.status == pq.ExecStatus.TUPLES_OK and not _types_match(result):
            return None
    if result.status != pq.ExecStatus.TUPLES_OK:
        _check_connection(pgconn)
        if name is not None:
            # Whatever failed (a pooler dropped the statement, a cancel, a changed table), start over: drop the
            # statement if it is still there (an error if not, which is as good) and prepare it next time.
            pgconn.exec_(b"DEALLOCATE " + name)
            _statements.get(raw, {}).pop(locales, None)
        return None
    value = result.get_value
    rows = []
    for row in range(result.ntuples):
        live_from, expires_at = value(row, 6), value(row, 7)
        rows.append(
            (
                value(row, 0).decode(),
                _INT2(value(row, 1))[0],
                value(row, 2),
                value(row, 3),
                value(row, 4).decode(),
                value(row, 5).decode(),
                None if live_from is None else _FLOAT8(live_from)[0],
                None if expires_at is None else _FLOAT8(expires_at)[0],
                value(row, 8) == _TRUE,
                value(row, 9) == _TRUE,
            )
        )
    return rows


def _prepare(pgconn, name: bytes, locales: int) -> bool:
    """Prepare the statement and check its result's column types, once per connection and chain length.
    False (never tried again on this connection) when the types are not those decoded here: a later
    migration must not turn every miss into an error."""
    sql = _numbered_sql(locales)
    if pgconn.prepare(name, sql).status != pq.ExecStatus.COMMAND_OK:
        _check_connection(pgconn)
        pgconn.exec_(b"DEALLOCATE " + name)  # e.g. it was already there, from before we lost track of it
        if pgconn.prepare(name, sql).status != pq.ExecStatus.COMMAND_OK:
            return False
    return _types_match(pgconn.describe_prepared(name))


def _types_match(result) -> bool:
    if result.nfields != len(_TYPES):
        return False
    return all(result.ftype(index) in types for index, types in enumerate(_TYPES))


def _numbered_sql(locales: int) -> bytes:
    return _sql(locales, [f"${number}" for number in range(1, 4 + locales)]).encode()


def _check_connection(pgconn) -> None:
    """Raise if the server dropped the connection (the caller closes it and reads again on a new one)."""
    if pgconn.status == pq.ConnStatus.BAD:
        raise OperationalError(f"The database connection was lost: {pgconn.get_error_message()}")


def find(site_id: int, kind: str, ident: str, chain: list[str]) -> Entry | None:
    """The stored answer for `ident` (a slug, or a page path's digest) along the locale `chain`, or None when
    it must be rendered at read time (see the module docstring). One query, raw SQL: the ORM's query building
    costs more than the query itself on this path."""
    if not chain:
        return None
    # Through the router: with read replicas (cms/replicas.py) a miss reads the stored bytes from one.
    rows = _rows(router.db_for_read(RenderedAnswer), [site_id, kind, ident, *chain])
    if not rows:
        return None
    locale, status, body, gzipped, etag, keys, live_from, expires_at, dynamic, stale = rows[0]  # the best (`_sql`)
    now = time.time()
    if dynamic or stale:
        return None
    if (live_from is not None and live_from > now + SLACK_SECONDS) or (expires_at is not None and expires_at <= now):
        return None
    return Entry(
        status=status,
        body=bytes(body),
        gzipped=bytes(gzipped) if gzipped is not None else None,
        etag=etag,
        locale=locale,
        expires_at=expires_at,
        keys=keys,
    )
