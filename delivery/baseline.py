"""The benchmark's baseline: a bare Django view answering a constant JSON body of `?bytes=N` bytes.

Mounted only with `CMS["BENCH_BASELINE"]`; it measures what the server, WSGI and middleware cost with no
application work, so `bench/delivery.py` can report the delivery endpoints as a ratio of it.
"""

from __future__ import annotations

from functools import cache

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
