"""Recording a block write as one revision, inside the write's own transaction.

The way in is one call, made by the blocks layer's write path (`blocks.services.writing`) inside each write's
transaction: `record_block_revision(block, user=…, comment=…, before=…, after=…)` (`before=None` for a block
that did not exist). `block_revision()` and its recorder are what it is built on: several blocks tracked in
one body, each saved as a revision of its own at the end. `before` and `after` are the
states the change list compares: the caller (the blocks layer's write path, `blocks.services.writing`) says
what a block's editable state is; this module knows no block module.

Each tracked block gets its own reversion `Revision` and `Version` (the full serialized block) plus a
`BlockRevision` row with the change list from `before` to the block's state now. We write reversion's models
ourselves rather than through `reversion.create_revision()`: its context merges everything tracked in nested
contexts into one revision, while the history of a block needs exactly one revision per block per write.
Nothing is written if the body raises: the rows are inserted at the end of the block, in its transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, router, transaction
from django.db.models import Max, Model, Q
from django.utils import timezone
from reversion.models import Revision, Version

from cms.conf import cms_setting
from revisions import diff
from revisions.models import BlockRevision

SNAPSHOT_FORMAT = "json"


@dataclass
class _Tracked:
    block: Model
    before: dict | None
    after: dict
    serialized: str


class BlockRevisionRecorder:
    """Collects the blocks a write changed; `block_revision` saves one revision per block on success."""

    def __init__(self, *, user, comment: str):
        self.user = user if getattr(user, "pk", None) else None
        self.comment = comment
        self._tracked: dict[int, _Tracked] = {}
        self.saved: list[BlockRevision] = []

    def track(self, block, *, before: dict | None, after: dict) -> None:
        """Snapshot `block` as it is now (call after saving it), with the states its change list compares.
        Tracking it again keeps the first `before`."""
        assert block.pk is not None, "track() a block after saving it"
        first = self._tracked.get(block.pk)
        self._tracked[block.pk] = _Tracked(
            block=block,
            before=first.before if first else before,
            after=after,
            serialized=serializers.serialize(SNAPSHOT_FORMAT, [block]),
        )

    def save(self) -> list[BlockRevision]:
        now = timezone.now()
        for tracked in self._tracked.values():
            self.saved.append(_write(tracked, user=self.user, comment=self.comment, when=now))
        self._tracked.clear()
        return self.saved


def _write(tracked: _Tracked, *, user, comment: str, when) -> BlockRevision:
    block = tracked.block
    model = type(block)
    # Services hold the block's row lock, so numbering cannot race; the unique constraint would catch it anyway.
    last = BlockRevision.objects.filter(block_id=block.pk).aggregate(last=Max("number"))["last"] or 0
    revision = Revision.objects.create(date_created=when, user=user, comment=comment)
    Version.objects.create(
        revision=revision,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(block.pk),
        db=router.db_for_write(model, instance=block),
        format=SNAPSHOT_FORMAT,
        serialized_data=tracked.serialized,
        object_repr=str(block)[:191],
    )
    entry = BlockRevision.objects.create(
        revision=revision,
        block_id=block.pk,
        number=last + 1,
        author=user,
        comment=comment,
        changes=diff.changes(tracked.before, tracked.after),
        created_at=when,
    )
    keep = cms_setting("REVISIONS_KEEP_PER_BLOCK") or 0
    if keep and entry.number > keep:
        delete_revisions(BlockRevision.objects.filter(block_id=block.pk, number__lte=entry.number - keep))
    return entry


@contextmanager
def block_revision(*, user, comment: str) -> Iterator[BlockRevisionRecorder]:
    """One revision per block tracked in the body, saved at its end, in its transaction."""
    recorder = BlockRevisionRecorder(user=user, comment=comment)
    with transaction.atomic():
        yield recorder
        recorder.save()


def record_block_revision(block, *, user, comment: str, before: dict | None, after: dict) -> BlockRevision:
    """Record `block` (already saved) as one revision now; call it inside the write's transaction."""
    with block_revision(user=user, comment=comment) as recorder:
        recorder.track(block, before=before, after=after)
    return recorder.saved[0]


def snapshots(blocks: list[Model]) -> list[str]:
    """Each block as `serializers.serialize("json", [block])` writes it, character for character, in one pass
    of the Python serializer: Django's JSON serializer encodes through `json.dump` to a stream, which is
    Python's pure-Python encoder; `json.dumps` runs the C one, several times faster on large blocks."""
    return [
        json.dumps([obj], cls=DjangoJSONEncoder, ensure_ascii=False) for obj in serializers.serialize("python", blocks)
    ]


def insert_rows(model: type[Model], rows: list, *, batch_size: int = 500) -> list:
    """Insert `rows` (unsaved instances of `model`) a batch per statement; answers them with their ids.

    On PostgreSQL a plain multi-row `INSERT … VALUES … RETURNING id`: Django 5.2's `bulk_create` sends each
    column as one array (`UNNEST`), and psycopg escapes every element of a text array in Python, which for
    large texts (a revision's serialized block, its change list) costs more than the whole rest of the write.
    Elsewhere `bulk_create`."""
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(rows, batch_size=batch_size)
    opts = model._meta
    # An auto id is the database's to give; a primary key that is a relation (BlockRevision's) is ours.
    fields = [
        field
        for field in opts.concrete_fields
        if not (field.primary_key and field.auto_created) and field is not opts.auto_field
    ]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = [
                field.get_db_prep_save(field.pre_save(row, True), connection) for row in batch for field in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(batch))} RETURNING "
                f"{connection.ops.quote_name(str(opts.pk.column))}",
                params,
            )
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = connection.alias
    return rows


def record_block_revisions(
    entries: list[tuple[Model, dict | None, dict]], *, user, comment: str, batch_size: int = 500
) -> list[BlockRevision]:
    """Record many blocks (already saved) as one revision each, in a few bulk inserts: `entries` are
    `(block, before, after)`. The same rows as `record_block_revision` once per block, for a write that
    reaches thousands of blocks at once (a template's schema change); the number of queries does not grow
    with the blocks but by batch. Call it inside the write's transaction, which holds the blocks' locks."""
    if not entries:
        return []
    user = user if getattr(user, "pk", None) else None
    when = timezone.now()
    model = type(entries[0][0])
    content_type = ContentType.objects.get_for_model(model)
    ids = [block.pk for block, _, _ in entries]
    last = dict(
        BlockRevision.objects.filter(block_id__in=ids)
        .order_by()
        .values("block_id")
        .annotate(last=Max("number"))
        .values_list("block_id", "last")
    )
    revisions = insert_rows(
        Revision, [Revision(date_created=when, user=user, comment=comment) for _ in entries], batch_size=batch_size
    )
    assert all(revision.pk is not None for revision in revisions), "the database must return ids of bulk inserts"
    db = router.db_for_write(model)
    insert_rows(
        Version,
        [
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(block.pk),
                db=db,
                format=SNAPSHOT_FORMAT,
                serialized_data=serialized,
                object_repr=str(block)[:191],
            )
            for revision, (block, _, _), serialized in zip(
                revisions, entries, snapshots([block for block, _, _ in entries]), strict=True
            )
        ],
        batch_size=batch_size,
    )
    saved = insert_rows(
        BlockRevision,
        [
            BlockRevision(
                revision=revision,
                block_id=block.pk,
                number=last.get(block.pk, 0) + 1,
                author=user,
                comment=comment,
                changes=diff.changes(before, after),
                created_at=when,
            )
            for revision, (block, before, after) in zip(revisions, entries, strict=True)
        ],
        batch_size=batch_size,
    )
    keep = cms_setting("REVISIONS_KEEP_PER_BLOCK") or 0
    over = [entry for entry in saved if keep and entry.number > keep]
    if over:
        old = Q()
        for entry in over:
            old |= Q(block_id=entry.block_id, number__lte=entry.number - keep)
        delete_revisions(BlockRevision.objects.filter(old))
    return saved


def delete_revisions(block_revisions, *, batch_size: int = 500) -> int:
    """Delete these revisions (reversion's rows with them), a batch of ids at a time. Returns how many."""
    deleted = 0
    while True:
        ids = list(block_revisions.order_by().values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        Revision.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def delete_block_revisions(block) -> None:
    """Remove every revision of `block` (the reference deletes a block's history with it)."""
    delete_revisions(BlockRevision.objects.filter(block_id=block.pk))


@dataclass(frozen=True)
class PastRevision:
    """A revision brought from elsewhere (a site bundle): the block as it recorded it (an unsaved copy carrying
    the block's pk), its number, comment, change list, date and author."""

    snapshot: Model
    number: int
    comment: str
    changes: list
    created_at: datetime
    author: Any


def replace_block_history(block, past: list[PastRevision]) -> None:
    """Replace every revision of `block` by `past`, as they were recorded elsewhere (same numbers, comments,
    change lists, dates). Three inserts whatever the length of the history; call it in the writer's transaction.

    Only for an import: the ordinary way to add history is `record_block_revision`, one write at a time."""
    delete_block_revisions(block)
    if not past:
        return
    model = type(block)
    content_type = ContentType.objects.get_for_model(model)
    db = router.db_for_write(model, instance=block)
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=entry.created_at, user=entry.author, comment=entry.comment) for entry in past]
    )
    Version.objects.bulk_create(
        [
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(block.pk),
                db=db,
                format=SNAPSHOT_FORMAT,
                serialized_data=serializers.serialize(SNAPSHOT_FORMAT, [entry.snapshot]),
                object_repr=str(entry.snapshot)[:191],
            )
            for revision, entry in zip(revisions, past, strict=True)
        ]
    )
    BlockRevision.objects.bulk_create(
        [
            BlockRevision(
                revision=revision,
                block_id=block.pk,
                number=entry.number,
                author=entry.author,
                comment=entry.comment,
                changes=entry.changes,
                created_at=entry.created_at,
            )
            for revision, entry in zip(revisions, past, strict=True)
        ]
    )
