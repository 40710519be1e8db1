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

from django.db import connections, router

from delivery.cache import Entry
from delivery.models import RenderedAnswer

_TABLE = RenderedAnswer._meta.db_table
_COLUMNS = "locale, status, body, gzipped, etag, keys, live_from, expires_at, dynamic, stale"


def _sql(locales: int) -> str:
    marks = ", ".join(["%s"] * locales)
    return (
        f"SELECT {_COLUMNS} FROM {_TABLE} "  # the table and column names are constants
        f"WHERE site_id = %s AND kind = %s AND ident = %s AND locale IN ({marks})"
    )


def find(site_id: int, kind: str, ident: str, chain: list[str]) -> Entry | None:
    """The stored answer for `ident` (a slug, or a page path's digest) along the locale `chain`, or None when
    it must be rendered at read time (see the module docstring). One query, raw SQL: the ORM's query building
    costs more than the query itself on this path."""
    if not chain:
        return None
    # Through the router: with read replicas (cms/replicas.py) a miss reads the stored bytes from one.
    alias = router.db_for_read(RenderedAnswer)
    with connections[alias].cursor() as cursor:
        cursor.execute(_sql(len(chain)), [site_id, kind, ident, *chain])
        rows = cursor.fetchall()
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
