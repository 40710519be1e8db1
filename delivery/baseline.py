"""The benchmark's baseline: a bare Django view answering a constant JSON body of `?bytes=N` bytes.

Mounted only with `CMS["BENCH_BASELINE"]`; it measures what the server, WSGI and middleware cost with no
application work, so `bench/delivery.py` can report the delivery endpoints as a ratio of it. `round_trip` is
the same after one database round trip of the cheapest query: the floor of any answer read from the database.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.http import HttpResponse

from cms.api.renderers import dumps


@cache
def _body(size: int) -> bytes:
    filler = max(0, size - len(dumps({"data": {"x": ""}})))
    return dumps({"data": {"x": "a" * filler}})


def baseline(request) -> HttpResponse:
    raw = request.GET.get("bytes", "1000")
    size = int(raw) if raw.isdigit() and len(raw) < 8 else 1000
    return HttpResponse(_body(size), content_type="application/json")


def round_trip(request) -> HttpResponse:
    """The baseline after `SELECT 1` on the database connection, one round trip (PostgreSQL's simple query
    protocol; SQLite runs in process). Why: a miss's one query costs the server this much before the query's
    own work, so bench/delivery.py reports the miss next to it (what is left is the miss's own)."""
    connection.ensure_connection()  # opened once and kept (`CONN_MAX_AGE`), as for a miss
    raw = connection.connection
    if connection.vendor == "postgresql":
        raw.pgconn.exec_(b"SELECT 1")
    else:
        raw.execute("SELECT 1").fetchall()
    return baseline(request)
