"""The sync feed: `GET /api/v1/delivery/{site}/sync[?cursor=…&limit=…]` (docs/delivery-api.md "Sync").

A static-site build or a mirror calls it without a cursor to list every published block in every locale, then
keeps the last `meta.cursor` and later asks only for what changed since: upserts (published, updated) and
tombstones (unpublished, deleted), in the order of the site's sync sequence (`delivery.changelog`).

How a page is read, in three queries whatever the site's size (`bench/delivery.py` counts them):

1. the site's counter: `last` (the highest number committed) and `pruned_through`;
2. the entries after the cursor, up to `last`, in sequence order (one more than the page, to know `hasMore`);
3. the live rows of the page's upserts, rendered like the block detail (data sources resolved in one batch).

Reading `last` first and nothing past it is what makes the cursor safe: numbers commit in order (the counter
row is locked until its writer commits), so every number up to `last` is visible to the second query, and the
next page, starting after `last`, cannot pass over a change still being committed.

A cursor holds `(site, after, start)`: entries after `after`; tombstones only after `start`. A full sync
starts with `after = 0, start = last`, so it lists the current blocks and, once under way, the deletes made
meanwhile; a cursor from a finished sync has `start = 0`. A cursor older than the newest pruned tombstone
(`CMS["SYNC_TOMBSTONE_DAYS"]`), of another site, or from the future is 410 `sync_cursor_expired`.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

from django.db.models import Q

from blocks.datasources.resolver import Resolution, copy_json
from blocks.published import content_of, readable_blocks
from cms import errors
from cms.conf import cms_setting
from cms.digits import is_decimal
from delivery import answers
from delivery import cache as dcache
from delivery.models import SyncCounter, SyncEntry

ALLOWED = frozenset({"cursor", "limit"})
CURSOR_RE = re.compile(r"^(\d{1,18})\.(\d{1,18})\.(\d{1,18})$")
MAX_CURSOR_LENGTH = 200
FULL_SYNC_HINT = "Do a full sync: call /sync without a cursor."


class SyncCursorExpired(errors.CmsError):
    code, status = "sync_cursor_expired", 410
    default_message = "This sync cursor has expired (or names another site). " + FULL_SYNC_HINT


class Cursor(NamedTuple):
    site_id: int
    after: int  # entries with a greater sequence are listed
    start: int  # tombstones are listed only above this (a full sync lists no deletes from before it began)


def encode_cursor(cursor: Cursor) -> str:
    raw = f"{cursor.site_id}.{cursor.after}.{cursor.start}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor in `text`, or 400 naming `cursor` when it is not one this API hands out."""
    problem = errors.BadRequest(
        "`cursor` is not a sync cursor: pass `meta.cursor` of an earlier answer unchanged.",
        fields={"cursor": "Not a cursor this API returned."},
    )
    if len(text) > MAX_CURSOR_LENGTH:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise problem from None
    match = CURSOR_RE.match(raw)
    if match is None:
        raise problem
    site_id, after, start = (int(part) for part in match.groups())
    return Cursor(site_id, after, start)


def parse_limit(params) -> int:
    raw = params.get("limit")
    largest = cms_setting("SYNC_PAGE_SIZE")
    if raw is None:
        return largest
    if not is_decimal(raw, max_digits=4) or not 1 <= int(raw) <= largest:
        raise errors.BadRequest(
            f"`limit` must be an integer from 1 to {largest}.", fields={"limit": f"Must be from 1 to {largest}."}
        )
    return int(raw)


def _counter(site_id: int) -> tuple[int, int]:
    found = SyncCounter.objects.filter(site_id=site_id).values_list("last_sequence", "pruned_through").first()
    return found if found is not None else (0, 0)


def _check_cursor(cursor: Cursor, site_id: int, last: int, pruned_through: int) -> None:
    if cursor.site_id != site_id or cursor.after > last or cursor.start > last:
        raise SyncCursorExpired("This sync cursor is not one of this site's. " + FULL_SYNC_HINT)
    if pruned_through > max(cursor.after, cursor.start):
        raise SyncCursorExpired(
            "This sync cursor is older than the deletes kept "
            f"({cms_setting('SYNC_TOMBSTONE_DAYS')} days). " + FULL_SYNC_HINT
        )


def sync_page(facts: dcache.SiteFacts, cursor: Cursor | None, limit: int) -> dict:
    """One page of the feed as the answer's payload (see the module docstring)."""
    last, pruned_through = _counter(facts.id)
    if cursor is None:
        cursor = Cursor(facts.id, 0, last)
    else:
        _check_cursor(cursor, facts.id, last, pruned_through)
    entries = list(
        SyncEntry.objects.filter(Q(op=SyncEntry.Op.UPSERT) | Q(sequence__gt=cursor.start))
        .filter(site_id=facts.id, sequence__gt=cursor.after, sequence__lte=last)
        .order_by("sequence")
        .values_list("sequence", "op", "slug", "locale", "block_id")[: limit + 1]
    )
    has_more = len(entries) > limit
    entries = entries[:limit]
    wanted = [block_id for _, op, _, _, block_id in entries if op == SyncEntry.Op.UPSERT]
    rows = {row.pk: row for row in readable_blocks(facts.id, where=Q(pk__in=wanted))} if wanted else {}
    resolution = Resolution(site=answers.site_stub(facts), preview=False, fallbacks=facts.fallbacks)
    items = []
    for sequence, op, slug, locale, block_id in entries:
        row = rows.get(block_id) if op == SyncEntry.Op.UPSERT and block_id is not None else None
        if row is not None and row.slug == slug and row.locale == locale and locale in facts.fallbacks:
            schema, data = content_of(row, preview=False)
            data = copy_json(data)
            resolution.add(data, schema, row.locale, row.pk)
            block = answers.block_payload(row, data, preview=False)
            items.append({"op": "upsert", "kind": "block", "slug": slug, "locale": locale, "sequence": sequence})
            items[-1]["block"] = block
        elif sequence > cursor.start:
            # Listed as an upsert but not served now (its locale disabled, a scheduled unpublish already due):
            # what a delivery reader sees now is that it is gone.
            items.append(
                {"op": "delete", "kind": "block", "slug": slug, "locale": locale, "sequence": sequence, "block": None}
            )
    resolution.run()
    if has_more:
        following = Cursor(facts.id, entries[-1][0], cursor.start)
    else:
        following = Cursor(facts.id, last, 0)
    return {"data": items, "meta": {"cursor": encode_cursor(following), "hasMore": has_more}}
