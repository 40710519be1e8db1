"""Whole answers kept per request line in each thread: the same URL asked again by anonymous readers, while
nothing it depends on has changed, is answered without looking anything up.

Why: a cache hit (bench/delivery.py) spent ~30 us in the view against a bare view's ~3: checking the
parameters, the lookup of the site's facts, generation and the block's stamp in the near cache, the answer
key, the process memo, and Django's check of each response header. Yet for an anonymous GET all of that is
decided by the path, the query string and those three near-cached values. `nearcache.unchanged` says, after
draining the invalidations that arrived (as every lookup does), whether those values still stand; while they
do, the answer chosen last time is the answer now. So `serve` keeps `(answer, checked headers)` per
`(path, query string)` and answers a repeat with a drain, a dict lookup and a response.

Kept only when exactness is as good as the lookup's: the site, generation and stamp were all answered from the
near cache's copies (their changes are then pushed to this connection), the reader sent no Authorization
and no charset of its own (a Content-Type charset changes how the query string reads),
the answer is public (not preview, not a private site) and has no expiry time (its max-age would shrink).
The shared cache being down (the breaker open) stops all use: invalidations then go to the database.
Coarse: any invalidation on this thread's connection ends every kept answer of the thread (`Watch`); the
next read of each URL takes the whole path once and keeps it again. Bounded like the process memo: at most
`DELIVERY_LOCAL_ENTRIES` answers and `DELIVERY_LOCAL_BYTES` per thread, none over an eighth of that; an
answer found out of date is dropped at once.

A kept answer also carries the whole WSGI answers it was sent as (`Kept.front`), so `delivery.front` can answer
a repeat before Django's handler and its middleware run; they share the answer's body bytes.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from django.http import HttpResponse

from cms import nearcache
from cms.cacheguard import breaker
from cms.conf import cms_setting
from delivery import cache as dcache
from delivery import responses
from delivery.cache import Entry


class Kept(NamedTuple):
    entry: Entry
    plain: responses.HeaderStore
    gzipped: responses.HeaderStore | None
    note: nearcache.Watch
    cleared: int  # `dcache.cleared` when kept: `local_clear` drops kept answers too
    #: the whole WSGI answers given for it, by what else the request said (`delivery.front`)
    front: dict


_kept = threading.local()


def current(key: tuple[str, str]) -> Kept | None:
    """The answer kept for `(path, query string)` when what it depends on is unchanged, else None (and an
    answer found out of date is dropped)."""
    memo = getattr(_kept, "memo", None)
    if not memo:
        return None
    kept = memo.get(key)
    if kept is None or not breaker.available():
        return None
    if kept.cleared != dcache.cleared or not nearcache.unchanged(kept.note):
        _forget(memo, key)  # never true again (versions only move on): its bytes go now
        return None
    return kept


def response(request) -> HttpResponse | None:
    """The kept answer to this anonymous GET when what it depends on is unchanged, else None. The response
    names the kept answer (`kept`), so the front door can keep the whole WSGI answer too (`delivery.front`)."""
    meta = request.META
    kept = current((request.path_info, meta.get("QUERY_STRING", "")))
    if kept is None:
        return None
    gzipped = kept.gzipped is not None and "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "")
    store = kept.gzipped if gzipped else kept.plain
    assert store is not None
    answer = responses.response("GET", meta.get("HTTP_IF_NONE_MATCH"), kept.entry, gzipped, store)
    answer.kept = kept  # type: ignore[attr-defined]  # read by `delivery.front` only
    return answer


def keep(request, entry: Entry, note: nearcache.Watch) -> None:
    """Keep `entry` as the answer to this request line while `note` holds (see the module docstring for who
    may call: an anonymous reader's public answer, with no expiry, chosen by values `note` watched)."""
    size = dcache.entry_size(entry)
    limit = cms_setting("DELIVERY_LOCAL_BYTES")
    if size > limit // 8 or cms_setting("DELIVERY_LOCAL_ENTRIES") <= 0:  # as the process memo: not the big ones
        return
    memo = _kept.__dict__.setdefault("memo", {})
    if len(memo) >= cms_setting("DELIVERY_LOCAL_ENTRIES") or _kept.__dict__.get("bytes", 0) + size > limit:
        memo.clear()
        _kept.bytes = 0
    key = (request.path_info, request.META.get("QUERY_STRING", ""))
    _forget(memo, key)
    plain = responses.header_store(entry, private=False, preview=False, gzipped=False)
    gzipped = (
        responses.header_store(entry, private=False, preview=False, gzipped=True) if entry.gzipped is not None else None
    )
    memo[key] = Kept(entry, plain, gzipped, note, dcache.cleared, {})
    _kept.bytes = _kept.__dict__.get("bytes", 0) + size


def _forget(memo: dict, key: tuple[str, str]) -> None:
    gone = memo.pop(key, None)
    if gone is not None:
        _kept.bytes -= dcache.entry_size(gone.entry)
