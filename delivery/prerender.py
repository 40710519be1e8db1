"""Rendering delivery answers when content changes, not when it is read: what is rendered again, and when.

Every change of what a delivery reader sees stores the new answers (`delivery.models.RenderedAnswer`, read by
`delivery.rendered.find`), through the subscriptions in `wiring.connect`:

- a block write (`blocks.events.recorded`, inside the write's transaction, so the stored answers commit or roll
  back with it): publish, unpublish, delete, restore, a scheduled publish or unpublish performed, a published
  block renamed or moved. The block's stored answers are dropped and, when it is published, rendered again
  (by slug, and by path for a page); the published pages of the same translation key are rendered again too,
  since their `alternates` list it. A write to a published block that leaves its live columns as they were
  (a working-copy edit; a template's schema reaching its followers) renders nothing: each stored answer keeps
  a `fingerprint` of the row it was rendered from.
- an asset changed (`media.events.changed`, after its commit: file replaced, alt text or title changed,
  deleted): exactly the stored answers whose keys name the asset are rendered again.
- a site's locales changed (enabled, disabled, default, fallbacks: `locales.events.site_locales_changed`) or
  its settings (`accounts.events.site_changed`): the answers that depend on them (pages, whose alternates
  list the enabled locales; answers showing assets, whose alt text follows the locale chain) are marked
  `stale` in one statement, so reads render them at read time at once, and the worker renders them again
  (`refresh_stale`). Plain blocks do not depend on locale settings: a fallback is resolved when reading.

Answers that fill dataSource fields are not stored but marked `dynamic`: what they show depends on other
blocks (any publish may change a `blocks` list) or on custom sources we hear nothing from, so they are
rendered at read time and cached as before (the site's generation covers them).

`rebuild(site)` (`manage.py rebuild_delivery`) renders every published block of a site again, in batches,
and drops stored answers of blocks no longer published: idempotent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from accounts.models import Site
from blocks.datasources.resolver import datasource_paths
from blocks.events import BlockEvent
from blocks.models import BlockStatus, BlockType, SiteBlock
from blocks.published import LIVE_FIELDS, content_of
from cms import jsonbytes
from delivery import answers, cdn
from delivery.cache import LIVE_EVENTS, Entry, SiteFacts, digest
from delivery.models import RenderedAnswer
from locales.selectors import fallback_map

UPDATED_FIELDS = [
    "block_id",
    "status",
    "body",
    "gzipped",
    "etag",
    "keys",
    "live_from",
    "expires_at",
    "dynamic",
    "locale_dependent",
    "stale",
    "fingerprint",
    "rendered_at",
]


def site_facts(site_id: int) -> SiteFacts | None:
    """The facts an answer is rendered with: as `delivery.access.load_site` builds them, uncached (two queries)."""
    site = Site.objects.filter(pk=site_id).only("id", "slug", "is_public", "default_locale").first()
    if site is None:
        return None
    return SiteFacts(
        id=site.pk,
        slug=site.slug,
        is_public=site.is_public,
        default_locale=site.default_locale,
        fallbacks=fallback_map(site),
    )


def published_rows(site_id: int):
    """The rows whose answers are stored: published with a snapshot, whatever their publish and unpublish
    times (`find` checks those when reading, as `blocks.published.live_q` does)."""
    return (
        SiteBlock.objects.filter(site_id=site_id, status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)
        .only(*LIVE_FIELDS)
        .order_by("id")
    )


def fingerprint(row: SiteBlock) -> str:
    """What a stored answer is rendered from besides its site: the row's live columns and its published
    content (hashed whole: a schema write may re-sanitise the snapshot without a new published version)."""
    values = (
        row.name,
        row.slug,
        row.tags,
        row.path,
        row.type,
        row.locale,
        str(row.translation_key),
        row.published_version,
        row.published_at.isoformat() if row.published_at else None,
        row.scheduled_unpublish_at.isoformat() if row.scheduled_unpublish_at else None,
    )
    hasher = hashlib.blake2b(repr(values).encode(), digest_size=16)
    hasher.update(jsonbytes.dumps(row.published_snapshot, sort_keys=True))  # old rows may hold >64-bit ints
    return hasher.hexdigest()


def _uses_sources(row: SiteBlock) -> bool:
    schema, _ = content_of(row, preview=False)
    return next(iter(datasource_paths(schema)), None) is not None


def _stored(facts: SiteFacts, row: SiteBlock, kind: str, ident: str, entry: Entry | None) -> RenderedAnswer:
    asset_prefix = cdn.asset_key(0)[:-1]
    keys = entry.keys if entry is not None else ""
    return RenderedAnswer(
        site_id=facts.id,
        kind=kind,
        ident=ident,
        locale=row.locale,
        block_id=row.pk,
        status=entry.status if entry is not None else 200,
        body=entry.body if entry is not None else b"",
        gzipped=entry.gzipped if entry is not None else None,
        etag=entry.etag if entry is not None else "",
        keys=keys,
        live_from=row.published_at.timestamp() if row.published_at is not None else None,
        expires_at=entry.expires_at if entry is not None else None,
        dynamic=entry is None,
        locale_dependent=kind == RenderedAnswer.Kind.PAGE or any(k.startswith(asset_prefix) for k in keys.split()),
        stale=False,
        fingerprint=fingerprint(row),
    )


def answers_of(facts: SiteFacts, row: SiteBlock, *, pages_only: bool = False) -> list[RenderedAnswer]:
    """The stored answers of one published row: by slug (unless `pages_only`), and by path for a page. The
    bytes are those the read-time path renders for the same row (`answers.single_entry`,
    `answers.page_row_entry`)."""
    dynamic = _uses_sources(row)
    found = []
    if not pages_only:
        entry = None if dynamic else answers.single_entry(row, facts, preview=False, missing="")
        found.append(_stored(facts, row, RenderedAnswer.Kind.BLOCK, row.slug, entry))
    if row.type == BlockType.PAGE and row.path:
        page = None if dynamic else answers.page_row_entry(facts, row, row.path, [row.locale], preview=False)
        found.append(_stored(facts, row, RenderedAnswer.Kind.PAGE, digest(row.path), page))
    return found


def store(facts: SiteFacts, rows: Iterable[SiteBlock], *, pages_only: bool = False) -> int:
    """Render and upsert the answers of `rows` (only their page answers with `pages_only`); how many."""
    stored = [answer for row in rows for answer in answers_of(facts, row, pages_only=pages_only)]
    RenderedAnswer.objects.bulk_create(
        stored,
        update_conflicts=True,
        unique_fields=["site", "kind", "ident", "locale"],
        update_fields=UPDATED_FIELDS,
        batch_size=500,
    )
    return len(stored)


def refresh_blocks(site_id: int, blocks: dict[int, str], *, always: Iterable[int] = ()) -> None:
    """Render again the stored answers of `blocks` (`{block id: translation key}`) that changed, and the
    published pages sharing their translation keys (their alternates name them).

    A block no longer published loses its stored answers; one renamed or moved loses those at its old slug or
    path. A published block outside `always` whose stored answer has its current `fingerprint` is left alone:
    the write changed its working copy only (a data edit, a template's schema reaching its followers)."""
    forced = set(always)
    live = {row.pk: row for row in published_rows(site_id).filter(id__in=blocks)}
    kept = RenderedAnswer.objects.filter(block_id__in=blocks, kind=RenderedAnswer.Kind.BLOCK)
    current = dict(kept.values_list("block_id", "fingerprint"))
    changed = set()
    for block_id in blocks:
        row = live.get(block_id)
        if row is None:
            if block_id in current:
                changed.add(block_id)
        elif block_id in forced or current.get(block_id) != fingerprint(row):
            changed.add(block_id)
    if not changed:
        return
    RenderedAnswer.objects.filter(block_id__in=changed).delete()
    facts = site_facts(site_id)
    if facts is None:
        return
    store(facts, [live[block_id] for block_id in sorted(changed) if block_id in live])
    keys = {blocks[block_id] for block_id in changed if blocks[block_id]}
    if keys:
        siblings = published_rows(site_id).filter(type=BlockType.PAGE, translation_key__in=keys)
        store(facts, siblings.exclude(id__in=changed), pages_only=True)


# -- subscribers (wiring/connect.py) -----------------------------------------------------------------------------
def _live_change(event: BlockEvent) -> bool:
    return event.event in LIVE_EVENTS or event.status == BlockStatus.PUBLISHED


def on_block_events(events: Iterable[BlockEvent]) -> None:
    """`blocks.events.recorded` (inside the write's transaction): the write's published answers, rendered
    once per block however many events it had. A draft's change renders nothing."""
    by_site: dict[int, tuple[dict[int, str], set[int]]] = {}
    for event in events:
        if not _live_change(event):
            continue
        blocks, always = by_site.setdefault(event.site_id, ({}, set()))
        blocks[event.block_id] = event.translation_key
        if event.event in LIVE_EVENTS:  # a publish, unpublish, delete or restore: the live content moved
            always.add(event.block_id)
    for site_id, (blocks, always) in by_site.items():
        refresh_blocks(site_id, blocks, always=always)


def on_asset_changed(*, asset_id: int, site_id: int) -> None:
    """`media.events.changed` (after the asset's commit): exactly the stored answers showing it, again."""
    key = cdn.asset_key(asset_id)
    rows = RenderedAnswer.objects.filter(site_id=site_id, keys__contains=key).values_list("block_id", "keys")
    block_ids = {block_id for block_id, keys in rows if key in keys.split()}
    if block_ids:
        with transaction.atomic():  # the asset is not part of a fingerprint: every one of them, again
            refresh_blocks(site_id, dict.fromkeys(block_ids, ""), always=block_ids)


def mark_stale(site_id: int) -> int:
    """The site's stored answers that depend on its settings or locales are served at read time from now,
    and rendered again by the worker; how many."""
    marked = RenderedAnswer.objects.filter(site_id=site_id, locale_dependent=True, stale=False).update(stale=True)
    if marked:
        refresh_stale.enqueue(site_id)
    return marked


def on_site_changed(site=None, *, site_id: int | None = None) -> None:
    """`accounts.events.site_changed` (with `site=`) and `locales.events.site_locales_changed` (`site_id=`)."""
    pk = site_id if site_id is not None else getattr(site, "pk", None)
    if pk is not None:
        mark_stale(pk)


@task()
def refresh_stale(site_id: int) -> int:
    """The worker's part of a site or locale change: render the stale answers again, 500 blocks at a time."""
    done = 0
    while True:
        with transaction.atomic():
            ids = set(
                RenderedAnswer.objects.filter(site_id=site_id, stale=True)
                .order_by("block_id")
                .values_list("block_id", flat=True)[:500]
            )
            if not ids:
                return done
            stale = RenderedAnswer.objects.filter(site_id=site_id, stale=True, block_id__in=ids)
            facts = site_facts(site_id)
            rows = list(published_rows(site_id).filter(id__in=ids))
            stale.exclude(block_id__in=[row.pk for row in rows]).delete()  # no longer published
            if facts is not None:
                done += store(facts, rows)
            stale.delete()  # a stale row the block no longer has (a page turned into a global block)


# -- rebuilding ----------------------------------------------------------------------------------------------
@dataclass
class Rebuilt:
    site: str
    blocks: int = 0
    pages: int = 0
    dynamic: int = 0
    removed: int = 0


def rebuild(site: Site, *, batch_size: int = 500) -> Rebuilt:
    """Render every published block of `site` again, `batch_size` blocks per transaction, and drop the stored
    answers of blocks no longer published (rows loaded without the services, or an older version's). Safe to
    run again, and while the site is being edited: each batch reads the rows as they are when it runs."""
    counts = Rebuilt(site.slug)
    facts = site_facts(site.pk)
    assert facts is not None, "the site exists"
    last = 0
    while True:
        with transaction.atomic():
            rows = list(published_rows(site.pk).filter(id__gt=last)[:batch_size])
            if not rows:
                break
            stored = [answer for row in rows for answer in answers_of(facts, row)]
            # What the batch's blocks no longer have (a page made a global block) goes with the old answers.
            RenderedAnswer.objects.filter(block_id__in=[row.pk for row in rows]).delete()
            RenderedAnswer.objects.bulk_create(
                stored,
                update_conflicts=True,
                unique_fields=["site", "kind", "ident", "locale"],
                update_fields=UPDATED_FIELDS,
                batch_size=500,
            )
        last = rows[-1].pk
        counts.blocks += sum(1 for answer in stored if answer.kind == RenderedAnswer.Kind.BLOCK)
        counts.pages += sum(1 for answer in stored if answer.kind == RenderedAnswer.Kind.PAGE)
        counts.dynamic += sum(1 for answer in stored if answer.dynamic)
    # NOT EXISTS, not NOT IN: PostgreSQL cannot turn a NOT IN over a subquery into an anti-join (NULL
    # semantics), and over 300,000 answers it ran for minutes (bench/delivery.py --blocks 100000).
    live = published_rows(site.pk).filter(pk=OuterRef("block_id"))
    gone = RenderedAnswer.objects.filter(site_id=site.pk).filter(~Exists(live))
    counts.removed, _ = gone.delete()
    return counts
