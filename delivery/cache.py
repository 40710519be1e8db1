"""The delivery cache: rendered answers keyed by a per-site generation, plus the facts a hit needs.

Why generations: every answer of a site is stored under a key that holds the site's generation counter.
A write that changes what readers see (publish, unpublish, delete, a published block renamed or moved, a
locale change) increments the counter once: O(1), atomic in Redis, and every older answer becomes
unreachable at once for every process (they expire on their own). Answers that embed `dataSource` results
are covered by the same bump, since any publish anywhere in the site bumps it.

Why stamps: an asset's change (its file replaced, its alt text changed, it deleted) must drop the answers that
show it and no others (a site-wide bump would make every reader of every block pay a cold read for one logo).
Each answer's key therefore also holds the stamp of its family: the block's slug for a block, the page's path
for a page, one for all lists. The stamp is read in the same round trip as the generation, so a hit still
costs one; `bump_stamps` moves the stamps of the blocks that show the asset (`delivery.assets`).

Why facts: a hit must run no SQL at all, so the site (id, public or not, default locale, fallbacks) and a
token's rights are cached too, and fetched with the generation in ONE `get_many` round trip. Answers are
also memoised in process (`_local`) under the same generation-bearing key: they can never be stale, since
the key changes when the content does, so a hit costs a single round trip to the shared cache.

Why every cache call goes through `cms.cacheguard.guarded`: an unreachable cache is a miss, never an error.
Reads then render from the database and store nothing; an invalidation the cache cannot take is recorded in
the database (`PendingInvalidation`) and replayed by `recover` before the cache is read again, so a publish
or unpublish made during an outage is seen at once during it (no cache) and after it (replayed).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from enum import Enum
from typing import Final, Literal, NamedTuple

from django.core.cache import cache

from accounts.models import Site
from cms import nearcache
from cms.cacheguard import CACHE_ERRORS, breaker, guarded
from cms.conf import cms_setting
from delivery.models import PendingInvalidation

logger = logging.getLogger("cms.delivery")

#: bumped when what a cached answer may hold changes, so answers cached by older code are never served again
#: (dlv2: richtext re-sanitised by migration blocks/0005; answers cached before it may hold unsanitised HTML;
#: dlv3: an `Entry` carries its CDN keys)
PREFIX = "dlv3"


class Missing(Enum):
    """The type of `MISSING`: the cache holds nothing under a key (a cached absence is stored as 0)."""

    MISSING = "MISSING"

    def __bool__(self) -> Literal[False]:
        return False  # like the absences it stands beside (None, 0)


MISSING: Final = Missing.MISSING
#: events that can change what a delivery reader sees even when the block is not (or no longer) published
LIVE_EVENTS = frozenset({"block.published", "block.unpublished", "block.deleted", "block.restored"})


# Named tuples, not dataclasses: they unpickle several times faster, and a hit unpickles them every time.
class SiteFacts(NamedTuple):
    id: int
    slug: str
    is_public: bool
    default_locale: str
    fallbacks: dict


class TokenFacts(NamedTuple):
    site_id: int
    role: str | None
    scopes: frozenset
    expires_at: float | None  # epoch seconds
    revoked: bool


class Entry(NamedTuple):
    """One cached answer: status, body (and its gzip), strong ETag, served locale, expiry (epoch or None), and
    what it depends on as CDN keys (`delivery.cdn`: the `Surrogate-Key` value, space-separated)."""

    status: int
    body: bytes
    gzipped: bytes | None
    etag: str
    locale: str | None
    expires_at: float | None
    keys: str = ""


def site_key(slug: str) -> str:
    return f"{PREFIX}:site:{slug}"


def generation_key(slug: str) -> str:
    return f"{PREFIX}:gen:{slug}"


def token_key(token_hash: str) -> str:
    return f"{PREFIX}:tok:{token_hash}"


def stamp_key(slug: str, kind: str, ident: str) -> str:
    """The counter of one family of answers: a block's (`b`, its slug), a page path's (`p`, its digest) or
    every list's (`l`, `*`). Bumped when an asset such answers show changes (see "Why stamps")."""
    return f"{PREFIX}:stamp:{slug}:{kind}:{ident}"


def answer_key(site_id: int, generation: int, kind: str, locale: str, ident: str, stamp: int = 0) -> str:
    return f"{PREFIX}:ans:{site_id}:{generation}:{stamp}:{kind}:{locale}:{ident}"


def digest(text: str) -> str:
    """A short fixed-size name for a page path or a list's query, for keys."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# -- the hit path -------------------------------------------------------------------------------------------
def lookup(
    slug: str, token_hash: str | None, stamp: str | None = None
) -> tuple[SiteFacts | Literal[0] | Missing, object, TokenFacts | Literal[0] | Missing | None, object]:
    """`(site facts, generation, token facts, stamp)` in one round trip, or none; `MISSING` where the cache has
    nothing, 0 where it holds that nothing exists, None for the token when none was sent (and for the stamp
    when no `stamp` key was given). The generation and stamp are whatever the cache holds: the caller checks
    they are ints. All `MISSING` when the cache is unreachable.

    The stamp is read only along with the others (`nearcache.get_many`'s `lazy`): when it alone is missing
    from this process's copies, it is `MISSING` and no round trip is made. A hit has its stamp in the copies;
    an answer asked for the first time needs none (`first_ask`), and `read_stamp` fetches it for the second.
    """
    keys = [site_key(slug), generation_key(slug)]
    if token_hash:
        keys.append(token_key(token_hash))
    if stamp:
        keys.append(stamp)
    found: dict = guarded(lambda: nearcache.get_many(keys, lazy=stamp), {})
    return (
        found.get(keys[0], MISSING),
        found.get(keys[1], MISSING),
        found.get(keys[2], MISSING) if token_hash else None,
        found.get(stamp, MISSING) if stamp else None,
    )


def read_stamp(key: str) -> int | None:
    """The stamp under `key`, started where missing (`new_stamp`'s SET NX at the clock, then the read of what
    Redis holds, whichever writer won, in one round trip on the near cache's connection). None when the cache
    is unreachable."""

    def start(found: dict) -> dict[str, tuple[object, int | None]]:
        return {key: (time.time_ns(), cms_setting("DELIVERY_CACHE_SECONDS"))}

    value = guarded(lambda: nearcache.get_many([key], start).get(key), None)
    return value if isinstance(value, int) else new_stamp(key)  # no near cache, or the SET refused: as before


_asked: set[str] = set()


def first_ask(site_id: int, generation: int, kind: str, locale: str, ident: str) -> bool:
    """True the first time this process is asked for this answer in this generation (and notes it).

    Why: most answers asked for once after a publish or a deploy (the long tail) are never asked for again
    from this process before the next generation; memoising them costs a round trip for their stamp and
    pushes hot answers out of the memo. So the first ask is answered from the stored answer alone, and the
    answer is memoised (under its stamp) from the second ask on. Bounded: past `DELIVERY_LOCAL_ENTRIES` x 4
    notes they are all forgotten, which only costs some answers one more read from the database.
    """
    note = f"{site_id}:{generation}:{kind}:{locale}:{ident}"
    if note in _asked:
        return False
    if len(_asked) >= 4 * cms_setting("DELIVERY_LOCAL_ENTRIES"):
        _asked.clear()
    _asked.add(note)
    return True


def new_generation(slug: str) -> int | None:
    """Start a site's counter where it is missing (first read, or evicted). Starting at the clock in
    nanoseconds, not 0, means a re-created counter never reaches a number whose answers are still stored.
    None when the cache is unreachable: the caller renders without caching."""

    def start() -> int:
        fresh = time.time_ns()
        if cache.add(generation_key(slug), fresh, timeout=None):  # one round trip when this process starts it
            return fresh
        value = cache.get(generation_key(slug))
        return value if isinstance(value, int) else time.time_ns()

    return guarded(start, None)


def new_stamp(key: str) -> int | None:
    """Start a stamp where it is missing (first read, expired or evicted), at the clock in nanoseconds like a
    generation: a re-created stamp never equals one that answers are still stored under. Stamps expire with
    the answers (`DELIVERY_CACHE_SECONDS`), so those of unknown slugs do not pile up. None when the cache is
    unreachable."""

    def start() -> int:
        fresh = time.time_ns()
        if cache.add(key, fresh, timeout=cms_setting("DELIVERY_CACHE_SECONDS")):
            return fresh
        value = cache.get(key)
        return value if isinstance(value, int) else time.time_ns()

    return guarded(start, None)


_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()
_local_bytes = 0


def entry_size(entry: Entry) -> int:
    return len(entry.body) + (len(entry.gzipped) if entry.gzipped else 0)


def local_get(key: str) -> Entry | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def local_put(key: str, entry: Entry) -> None:
    """Memoise in process, bounded by entry count and bytes (`DELIVERY_LOCAL_ENTRIES`, `DELIVERY_LOCAL_BYTES`)."""
    global _local_bytes
    limit, byte_limit = cms_setting("DELIVERY_LOCAL_ENTRIES"), cms_setting("DELIVERY_LOCAL_BYTES")
    size = entry_size(entry)
    if limit <= 0 or size > byte_limit // 8:  # one huge answer must not push out hundreds of small ones
        return
    with _local_lock:
        previous = _local.pop(key, None)
        if previous is not None:
            _local_bytes -= entry_size(previous)
        _local[key] = entry
        _local_bytes += size
        while len(_local) > limit or _local_bytes > byte_limit:
            _, dropped = _local.popitem(last=False)
            _local_bytes -= entry_size(dropped)


#: moved by `local_clear`: answers kept whole per request line (`delivery.hot`) are dropped with the memo
cleared = 0


def local_clear() -> None:
    global _local_bytes, cleared
    with _local_lock:
        _local.clear()
        _local_bytes = 0
    _asked.clear()
    cleared += 1


def get_local(key: str) -> Entry | None:
    """The answer memoised in this process, if it is still true."""
    entry = local_get(key)
    if entry is None or (entry.expires_at is not None and entry.expires_at <= time.time()):
        return None
    return entry


def get_answer(key: str) -> Entry | None:
    entry = local_get(key)
    if entry is None:
        entry = guarded(lambda: cache.get(key), None)
        if not isinstance(entry, Entry):
            return None
        local_put(key, entry)
    if entry.expires_at is not None and entry.expires_at <= time.time():
        return None
    return entry


def put_answer(key: str, entry: Entry) -> None:
    timeout = cms_setting("DELIVERY_CACHE_SECONDS")
    if entry.expires_at is not None:
        timeout = max(1, min(timeout, int(entry.expires_at - time.time()) + 1))

    def store() -> bool:
        cache.set(key, entry, timeout=timeout)
        return True

    if guarded(store, False):  # memoised only where the shared cache has it too
        local_put(key, entry)


def put_site(facts: SiteFacts | None, slug: str) -> None:
    """Cache a site's facts (or that no such site exists: hostile slugs then cost no query either)."""
    value = facts if facts is not None else 0
    guarded(lambda: cache.set(site_key(slug), value, timeout=cms_setting("DELIVERY_SITE_CACHE_SECONDS")), None)


def put_token(token_hash: str, facts: TokenFacts | None) -> None:
    value = facts if facts is not None else 0
    guarded(lambda: cache.set(token_key(token_hash), value, timeout=cms_setting("DELIVERY_TOKEN_CACHE_SECONDS")), None)


# -- invalidation -------------------------------------------------------------------------------------------
def _bump_now(slug: str) -> None:
    key = generation_key(slug)
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): any fresh value differs from every stored one
        cache.set(key, time.time_ns(), timeout=None)


def _apply(kind: str, target: str) -> None:
    """Apply one invalidation to the cache now; raises the cache's error when it is unreachable."""
    if kind == PendingInvalidation.Kind.TOKEN:
        cache.delete(token_key(target))
    else:
        if kind == PendingInvalidation.Kind.SITE:
            cache.delete(site_key(target))
        _bump_now(target)
    nearcache.settle()  # every process's near copy is invalidated before the writer answers its client


def _invalidate(kind: str, target: str) -> None:
    """Apply an invalidation, or record it for `replay_pending` when the cache cannot take it.

    After recording, the breaker is asked again: if it closed meanwhile (its replay may have read the table
    before this row), the invalidation is applied directly too. Applying one twice only costs a cold read.
    """
    if breaker.available():
        try:
            _apply(kind, target)
            return
        except CACHE_ERRORS as error:
            breaker.failed(error)
    PendingInvalidation.objects.create(kind=kind, target=target)
    logger.warning("Cache unreachable: %s invalidation of %s recorded for replay", kind, target[:12])
    if breaker.available():
        guarded(lambda: _apply(kind, target), None)


def replay_pending() -> int:
    """Apply every recorded invalidation (each distinct one once) and delete those rows; how many rows.

    Raises the cache's error if it fails again: the rows stay, and recovery is tried later.
    """
    replayed = 0
    while True:
        rows = list(PendingInvalidation.objects.order_by("id").values_list("id", "kind", "target")[:500])
        if not rows:
            return replayed
        for kind, target in dict.fromkeys((kind, target) for _, kind, target in rows):
            _apply(kind, target)
        PendingInvalidation.objects.filter(id__in=[row[0] for row in rows]).delete()
        replayed += len(rows)


def recover() -> None:
    """When the cache answers again (`cms.cacheguard.recovered`): replay what it missed, then drop every
    in-process copy, since the near cache's tracking connection may have missed invalidations too."""
    replayed = replay_pending()
    if replayed:
        logger.warning("Replayed %d cache invalidations recorded while the cache was down", replayed)
    nearcache.reset()
    local_clear()


def bump(slug: str) -> None:
    """Move the site to a new generation: every answer cached before is unreachable from now on."""
    _invalidate(PendingInvalidation.Kind.GENERATION, slug)


def bump_stamps(slug: str, stamps: list[tuple[str, str]]) -> None:
    """Make the answers under these stamps (`(kind, ident)`: a block's, a page path's, the lists') unreachable,
    and no others. When the cache cannot take it, the whole site's generation is bumped instead (recorded and
    replayed like any invalidation): coarser, never stale."""
    if not stamps:
        return
    if breaker.available():
        try:
            for kind, ident in dict.fromkeys(stamps):
                key = stamp_key(slug, kind, ident)
                try:
                    cache.incr(key)
                except ValueError:  # no stamp yet (or expired): any fresh value differs from every stored one
                    cache.set(key, time.time_ns(), timeout=cms_setting("DELIVERY_CACHE_SECONDS"))
            nearcache.settle()
            return
        except CACHE_ERRORS as error:
            breaker.failed(error)
    bump(slug)


def _slug_of(site) -> str | None:
    slug = getattr(site, "slug", None)
    if slug:
        return slug
    pk = getattr(site, "pk", site)
    return Site.objects.filter(pk=pk).values_list("slug", flat=True).first()


def invalidate_site(site=None, *, site_id: int | None = None) -> None:
    """Forget everything cached for a site (its facts and every answer). Takes a Site, or its id.

    Subscribed (`wiring/connect.py`) to locale changes (`locales.events.site_locales_changed`, with `site_id=`)
    and site edits (`accounts.events.site_changed`, with `site=`).
    """
    slug = _slug_of(site if site is not None else site_id)
    if slug is None:
        return
    _invalidate(PendingInvalidation.Kind.SITE, slug)


def on_block_event(event) -> None:
    """After a block write commits (`blocks.events.committed`): bump the site's generation when readers could
    see a difference.

    Drafts edited, created or copied change nothing live and keep the cache warm; anything touching a
    published block (or ending one: unpublish, delete) bumps it.
    """
    if event.event in LIVE_EVENTS or event.status == "published":
        slug = _slug_of(event.site_id)
        if slug is not None:
            bump(slug)


def forget_token(token_hash: str) -> None:
    """After `accounts.events.token_revoked`: the next request with this token reads its rights afresh."""
    _invalidate(PendingInvalidation.Kind.TOKEN, token_hash)
