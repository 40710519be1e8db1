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

import time

from django.db import InterfaceError, OperationalError, connections, router

from delivery.cache import Entry
from delivery.models import RenderedAnswer

_TABLE = RenderedAnswer._meta.db_table
_COLUMNS = "locale, status, body, gzipped, etag, keys, live_from, expires_at, dynamic, stale"


def _sql(locales: int, mark: str = "%s") -> str:
    marks = ", ".join([mark] * locales)
    return (
        f"SELECT {_COLUMNS} FROM {_TABLE} "  # the table and column names are constants
        f"WHERE site_id = {mark} AND kind = {mark} AND ident = {mark} AND locale IN ({marks})"
    )


def _rows(alias: str, params: list) -> list[tuple]:
    """The query's rows, on the driver's own cursor when this thread's connection is open and idle.

    Why not Django's cursor: on PostgreSQL it first runs the request's health check (`CONN_HEALTH_CHECKS`: a
    `SELECT 1` round trip before the first query of each request), and its wrappers cost more than the
    query; on a miss this query is the request's only one, so that was half of its database time. The check
    is kept in substance: if the query fails because the server dropped the connection, the connection is
    closed and the query runs once more on a new one (it only reads). Django's cursor is used as before
    inside a transaction, when queries are being logged (DEBUG, tests counting queries) and to connect.
    """
    locales = len(params) - 3
    connection = connections[alias]
    if connection.connection is not None and not connection.in_atomic_block and not connection.queries_logged:
        qmark = connection.vendor == "sqlite"  # sqlite3 binds `?`, psycopg `%s`
        try:
            with connection.wrap_database_errors:  # Django's exceptions, and its note of a failed connection
                cursor = connection.connection.cursor()
                try:
                    cursor.execute(_sql(locales, "?" if qmark else "%s"), params)
                    return cursor.fetchall()
                finally:
                    cursor.close()
        except (OperationalError, InterfaceError):
            if connection.is_usable():
                raise
            connection.close()  # the server closed it (restart, idle timeout): a new one below
    with connection.cursor() as cursor:
        cursor.execute(_sql(locales), params)
        return cursor.fetchall()


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
    rank = {code: index for index, code in enumerate(chain)}
    locale, status, body, gzipped, etag, keys, live_from, expires_at, dynamic, stale = min(
        rows, key=lambda row: rank[row[0]]
    )
    now = time.time()
    if dynamic or stale:
        return None
    if (live_from is not None and live_from > now) or (expires_at is not None and expires_at <= now):
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
