"""The change log behind the sync feed (`GET /api/v1/delivery/{site}/sync`, `delivery.sync`).

Every change of what a delivery reader sees goes through here, inside the transaction of the change:

- a block write (`blocks.events.recorded`, the one write path's in-transaction hook: publish, unpublish,
  delete, restore, a scheduled publish or unpublish performed, a published block renamed, re-tagged or moved);
- a locale enabled or disabled (`locales.events.locale_toggled`): its published blocks come back, or go;
- a media asset changed (`media.events.changed`, just after its commit): the published blocks showing it.

Each change takes the next numbers of the site's `SyncCounter` (the row stays locked until the change commits,
so numbers commit in order: see `delivery.models.SyncCounter`) and moves the `SyncEntry` of each `(slug,
locale)` it touches to its new number, as an upsert or a tombstone. A write that touches nothing live
(a draft edited, created or copied) writes nothing here.

Tombstones are pruned after `CMS["SYNC_TOMBSTONE_DAYS"]` (`manage.py prune_sync_log`); the counter remembers the
highest number pruned, so a cursor older than that is told to start over (410 `sync_cursor_expired`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from blocks.assets import blocks_mentioning
from blocks.events import BlockEvent
from blocks.models import BlockStatus, SiteBlock
from cms.conf import cms_setting
from delivery.models import SyncCounter, SyncEntry

#: events after which a block that is not published is gone from delivery (if it was there)
ENDING_EVENTS = frozenset({"block.unpublished", "block.deleted", "block.restored"})

Key = tuple[str, str]  # (slug, locale)


def take_numbers(site_id: int, count: int) -> int:
    """Reserve `count` numbers of the site's sequence; answers the first. The UPDATE locks the counter row until
    the caller's transaction ends: two writers of one site take their numbers (and commit) one after the other.
    One statement (`UPDATE … RETURNING`, PostgreSQL and SQLite alike), as it runs in every live write."""
    assert transaction.get_connection().in_atomic_block, "take_numbers() runs inside the change's transaction"
    table = SyncCounter._meta.db_table
    sql = f"UPDATE {table} SET last_sequence = last_sequence + %s WHERE site_id = %s RETURNING last_sequence"
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, site_id])
        found = cursor.fetchone()
        if found is None:
            # The first change of a site: two first writers both insert, one is ignored, then both update.
            SyncCounter.objects.bulk_create([SyncCounter(site_id=site_id)], ignore_conflicts=True)
            cursor.execute(sql, [count, site_id])
            found = cursor.fetchone()
    return found[0] - count + 1


def record(site_id: int, changes: dict[Key, tuple[str, int | None]]) -> None:
    """Write `{(slug, locale): (op, block_id)}` for one site as its next changes.

    A tombstone is written only where the feed has said the block exists (an upsert entry): a draft deleted
    was never listed, so there is nothing to take back.
    """
    if not changes:
        return
    deletes = [key for key, (op, _) in changes.items() if op == SyncEntry.Op.DELETE]
    if deletes:
        entries = SyncEntry.objects.filter(
            site_id=site_id, op=SyncEntry.Op.UPSERT, locale__in={locale for _, locale in deletes}
        )
        if len(deletes) <= 500:  # a block write: by slug; a locale disabled: its whole locale (no huge IN list)
            entries = entries.filter(slug__in={slug for slug, _ in deletes})
        listed = set(entries.values_list("slug", "locale").order_by())
        changes = {key: value for key, value in changes.items() if value[0] == SyncEntry.Op.UPSERT or key in listed}
        if not changes:
            return
    first = take_numbers(site_id, len(changes))
    now = timezone.now()
    rows = [
        SyncEntry(
            site_id=site_id,
            slug=slug,
            locale=locale,
            op=op,
            block_id=block_id,
            sequence=first + index,
            changed_at=now,
        )
        for index, ((slug, locale), (op, block_id)) in enumerate(changes.items())
    ]
    SyncEntry.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["site", "slug", "locale"],
        update_fields=["op", "block_id", "sequence", "changed_at"],
        batch_size=1000,
    )


def change_of(event: BlockEvent) -> str | None:
    """What a block event means to the feed: an upsert, a tombstone, or nothing (a draft's change)."""
    if event.event == "block.deleted":
        return SyncEntry.Op.DELETE
    if event.status == BlockStatus.PUBLISHED:
        return SyncEntry.Op.UPSERT
    if event.event in ENDING_EVENTS:
        return SyncEntry.Op.DELETE
    return None


def record_block_events(events: Iterable[BlockEvent]) -> None:
    """`blocks.events.recorded` (inside the write's transaction): the write's live changes, in one batch per
    site; a block written twice in one write (updated, then published) counts once, in its last state."""
    by_site: dict[int, dict[Key, tuple[str, int | None]]] = {}
    for event in events:
        op = change_of(event)
        if op is None:
            continue
        site_changes = by_site.setdefault(event.site_id, {})
        key = (event.slug, event.locale)
        site_changes.pop(key, None)  # re-inserted: the last change of a key takes the last number
        site_changes[key] = (op, None if op == SyncEntry.Op.DELETE else event.block_id)
    for site_id, changes in by_site.items():
        record(site_id, changes)


def record_locale_toggled(*, site_id: int, code: str, enabled: bool) -> None:
    """`locales.events.locale_toggled` (inside the change's transaction): the locale's published blocks come
    back (upserts) or go (tombstones). Fallbacks and the default locale change no entry: the feed lists each
    locale copy as itself, exactly the answer of `/blocks/{slug}?locale={its locale}`."""
    rows = SiteBlock.objects.filter(site_id=site_id, locale=code, status=BlockStatus.PUBLISHED).order_by("id")
    op = SyncEntry.Op.UPSERT if enabled else SyncEntry.Op.DELETE
    changes: dict[Key, tuple[str, int | None]] = {
        (slug, code): (op, block_id if enabled else None) for block_id, slug in rows.values_list("id", "slug")
    }
    record(site_id, changes)


def record_asset_changed(*, asset_id: int, site_id: int) -> None:
    """`media.events.changed` (after the asset's change commits: file replaced, alt text or title changed,
    deleted): the published blocks that show it are listed again, since their answers show its URL, size and
    alt text. In a transaction of its own, the asset's being committed already: the numbers still commit in
    order; a process that dies between the two leaves those blocks as they were listed (the asset data of an
    item is resolved when the feed is read, so a later change of the block brings it)."""
    with transaction.atomic():
        rows = blocks_mentioning(site_id, asset_id).filter(status=BlockStatus.PUBLISHED).order_by("id")
        changes: dict[Key, tuple[str, int | None]] = {
            (slug, locale): (SyncEntry.Op.UPSERT, block_id)
            for block_id, slug, locale in rows.values_list("id", "slug", "locale")
        }
        record(site_id, changes)


def backfill(site_id: int) -> int:
    """Give every published block of a site that has no entry yet an upsert entry (blocks published before the
    change log existed, or rows loaded without the services, as the benchmark does); answers how many."""
    with transaction.atomic():
        listed = set(SyncEntry.objects.filter(site_id=site_id).values_list("slug", "locale").order_by())
        rows = SiteBlock.objects.filter(site_id=site_id, status=BlockStatus.PUBLISHED).order_by("id")
        changes: dict[Key, tuple[str, int | None]] = {
            (slug, locale): (SyncEntry.Op.UPSERT, block_id)
            for block_id, slug, locale in rows.values_list("id", "slug", "locale")
            if (slug, locale) not in listed
        }
        record(site_id, changes)
    return len(changes)


def prune(*, days: int | None = None, dry_run: bool = False) -> int:
    """Delete tombstones older than `days` (default `CMS["SYNC_TOMBSTONE_DAYS"]`); answers how many (with
    `dry_run`, how many would go).

    Each site's counter first learns the highest number it prunes, in the same transaction: from then on a
    cursor from before that number answers 410 (it may have missed one of the deletes pruned)."""
    keep_days = cms_setting("SYNC_TOMBSTONE_DAYS") if days is None else days
    cutoff = timezone.now() - timedelta(days=keep_days)
    old = SyncEntry.objects.filter(op=SyncEntry.Op.DELETE, changed_at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
        highest = old.values("site_id").annotate(top=Max("sequence")).order_by()
        for row in highest:
            counter = SyncCounter.objects.select_for_update().get(site_id=row["site_id"])
            if row["top"] > counter.pruned_through:
                SyncCounter.objects.filter(site_id=row["site_id"]).update(pruned_through=row["top"])
        pruned, _ = old.delete()
    return pruned
