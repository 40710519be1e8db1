"""The one write path: the tail every block write goes through, so no step can be skipped.

Every service that changes a block row does it here:

    with block_write(actor=actor, block=block, expected_version=version, comment="Updated data",
                     event="block.updated") as write:
        write.block.data = ...          # the locked row: change what the service changes
        write.publish()                 # optional: validate fully and snapshot, announces block.published too

On leaving the block (or at `write.finish()`, when a service must finish one block before writing others),
in this order and inside one transaction:

1. the row was locked and its version checked at the start (`lock_block`: `stale_write` when it moved);
2. the version is bumped and the author stamped (`touch`);
3. richtext is sanitised under the schema being saved (`sanitize_richtext`): the data, the defaults, and the
   published snapshot, whatever the write was (a schema change, a restore, a copy, a sync, an import);
4. the write publishes (validated in full and snapshotted), or `hasUnpublishedChanges` is recomputed;
5. the row is saved (a unique slug or path taken meanwhile is `conflict`);
6. one revision is recorded with its change list (skipped only for schedule changes, which are not content);
7. the write's events are emitted (`blocks.events`: the outbox row inside the transaction, the delivery cache
   after the commit, see `wiring.connect`);
8. shared fields are kept in step across the block's locale copies (`SharedFields`): a write that changed a
   shared (non-localized) value of the group's source carries it into every copy, each copy written through
   this same tail as a revision of its own; a write that would change one in a copy to anything but the
   source's value was refused before step 4, naming the field and the source locale.

A write that leaves the row as it was (the same data, schema or name sent again, a schedule cancelled that was
not set, a published block published again unchanged) is a no-op: no version bump, no save, no revision, no
event, so the client keeps its ETag and the history shows only real changes (`BlockWrite.changes_nothing`).

Writes that reach several blocks (a schema kept in step across locale copies, shared fields synced) write the
other copies with `rewrite_locked`, and new rows (create, copy to a new locale) with `insert_block`; both end
in the same tail. All of a service's events are announced together, as one outbox row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.permissions import Actor
from blocks import events
from blocks.assets import check_asset_refs
from blocks.models import BlockStatus, SiteBlock
from blocks.translation_units import pick_source, shared_changes, shared_values, synced_data
from cms import errors
from cms.jsonsame import same_json
from revisions.models import BlockRevision
from revisions.recording import record_block_revision, record_block_revisions
from schema import clean_defaults, compiled_for

CONCURRENT_CONFLICT = "The slug or path was taken by a concurrent write; retry."
# Columns every write sets whatever it changes: left out when telling a no-op from a change.
BOOKKEEPING = frozenset({"version", "updated_at", "updated_by_id"})


def row_values(block: SiteBlock) -> dict[str, Any]:
    """The row's stored values, copied deep enough that a service changing `data` in place is seen."""
    return {field.attname: copy_json(getattr(block, field.attname)) for field in block._meta.concrete_fields}


def copy_json(value: Any) -> Any:
    """A deep copy of a row's value: a JSON column's dicts and lists copied, anything else kept as it is (every
    other value a row holds, a string, a number, a datetime, a UUID, None, is immutable). Several times faster
    than `copy.deepcopy`, which a write reaching thousands of rows would pay once per row."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def lock_block(block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """Re-read `block` under a row lock and refuse a stale write. Must run inside `transaction.atomic()`.

    Two writers holding the same ETag serialise on the row lock (PostgreSQL `SELECT … FOR UPDATE`; SQLite takes
    its write lock at BEGIN IMMEDIATE), and the second sees the bumped version and gets `stale_write`.
    """
    try:
        # `of=self`: the block's row only, not the joined site's (writes of one site must not queue on it).
        locked = SiteBlock.objects.select_for_update(of=("self",)).select_related("site").get(pk=block.pk)
    except SiteBlock.DoesNotExist:
        raise errors.NotFound("This block no longer exists.") from None
    if expected_version is not None and locked.version != expected_version:
        raise errors.StaleWrite()
    return locked


def block_state(block: SiteBlock) -> dict:
    """What a revision records and compares: the editable state of a block."""
    return {
        "name": block.name,
        "slug": block.slug,
        "type": block.type,
        "path": block.path,
        "tags": list(block.tags),
        "status": block.status,
        "schema": block.schema,
        "data": block.data,
    }


def live_data(schema: list[dict], data: dict) -> dict:
    """The data a publish snapshots: orphaned keys (no longer in the schema) are left out of the live site."""
    names = {field.get("name") for field in schema if field.get("type") != "dataSource"}
    return {key: value for key, value in data.items() if key in names}


def sanitize_richtext(block: SiteBlock) -> None:
    """Every richtext value the row holds passes the sanitiser under the schema being saved.

    Writes sanitise what a client sends (`apply_patch`), but a value can become richtext without being sent:
    a `string` turned `richtext` by a schema change (on every locale copy), an old revision restored, data
    copied to a locale or synced. Doing it here, in the tail, covers every way in at once. The published
    snapshot is sanitised under its own schema and under the one being saved: a client that reads the
    current JSON Schema renders a value it now calls richtext as HTML even before the next publish. nh3's
    output is stable under nh3, so clean values stay as they are.
    """
    block.schema = clean_defaults(block.schema)
    block.data = compiled_for(block.schema).clean(block.data)
    snapshot = block.published_snapshot
    if isinstance(snapshot, dict) and isinstance(snapshot.get("data"), dict):
        stored_schema = snapshot.get("schema") or []
        live_schema = clean_defaults(stored_schema)
        data = compiled_for(block.schema).clean(compiled_for(live_schema).clean(snapshot["data"]))
        if live_schema is not stored_schema or data != snapshot["data"]:
            block.published_snapshot = {**snapshot, "schema": live_schema, "data": data}


def live_snapshot(block: SiteBlock) -> dict:
    """What a publish snapshots: the schema, the data it describes, and the template the block follows then
    (`template`, only for a block that follows one: the live answer says which template and version the
    live content has, whatever the template became since)."""
    snapshot = {"schema": block.schema, "data": live_data(block.schema, block.data)}
    if block.template_ref is not None:
        snapshot["template"] = block.template_ref
    return snapshot


def refresh_unpublished_flag(block: SiteBlock) -> None:
    """`hasUnpublishedChanges`: the working copy of a published block differs from what is live."""
    snapshot = block.published_snapshot
    if block.status != BlockStatus.PUBLISHED or snapshot is None:
        block.has_unpublished_changes = False
        return
    block.has_unpublished_changes = snapshot.get("schema") != block.schema or snapshot.get("data") != live_data(
        block.schema, block.data
    )


def is_live_as_is(block: SiteBlock) -> bool:
    """Published, nothing changed since, and no publish waiting on a schedule: publishing again would write
    nothing new (the snapshot would be the same), so callers that may skip such a publish do."""
    return (
        block.status == BlockStatus.PUBLISHED
        and block.published_snapshot is not None
        and not block.has_unpublished_changes
        and block.scheduled_publish_at is None
    )


def check_publishable(block: SiteBlock) -> None:
    """Full validation (`required` included) of what a publish would snapshot: `validation_failed` naming each
    field. Run by every publish, a no-op one too (what is live may predate today's rules)."""
    problems = compiled_for(block.schema).validate(block.data, publish=True)
    if problems:
        raise errors.ValidationFailed("The block cannot be published until these fields are fixed.", fields=problems)


def publish_in_place(block: SiteBlock) -> None:
    """Validate fully (`required` included) and snapshot; the write's tail saves it.

    The snapshot leaves out orphaned keys: the live site shows only what the current schema describes.
    """
    check_publishable(block)
    block.status = BlockStatus.PUBLISHED
    block.published_snapshot = live_snapshot(block)
    block.published_version = block.version
    block.published_at = timezone.now()
    block.scheduled_publish_at = None
    block.has_unpublished_changes = False


def unpublish_in_place(block: SiteBlock) -> None:
    block.status = BlockStatus.DRAFT
    block.published_snapshot = None
    block.published_version = None
    block.published_at = None
    block.scheduled_unpublish_at = None
    block.has_unpublished_changes = False


def touch(block: SiteBlock, actor: Actor, *, author: bool = True) -> None:
    """Every write bumps the version (the ETag) and stamps when, and who (unless `author=False`)."""
    block.version += 1
    block.updated_at = timezone.now()
    if author:
        block.updated_by = actor.user if getattr(actor.user, "pk", None) else None


_ABSENT = object()  # a path with no value, told apart from a `null` one


class SharedFields:
    """Step 8 of the tail: shared (non-localized) values are one value across a block's locale copies.

    Only data writes that keep the schema are looked at (a schema change carries values across every copy
    itself, `blocks.services.schema_change`), and only when a shared value changed, so an ordinary write
    costs no query here. The source of the group is its default-locale copy, else its oldest
    (`blocks.translation_units.pick_source`).
    """

    def __init__(self, write: BlockWrite) -> None:
        self.write = write
        self.changed: list[str] = []

    def check(self, *, insert: bool) -> bool:
        """Before the save: refuse a copy's change of a shared value; answer whether the write, the source's,
        must carry shared values into the copies after it is saved."""
        block, original = self.write.block, self.write.original
        if insert or original is None or not same_json(original["schema"], block.schema):
            return False
        if same_json(original["data"], block.data):
            return False
        self.changed = shared_changes(block.schema, original["data"], block.data)
        if not self.changed:
            return False
        default_locale = block.site.default_locale
        if block.locale == default_locale:
            return True
        others = list(
            SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
            .exclude(pk=block.pk)
            .only("id", "locale", "schema", "data")
        )
        source = pick_source([block, *others], default_locale)
        if source is None or source.pk == block.pk:
            return True
        # Compared as stored: the tail sanitised this copy's richtext, so the source's is sanitised alike.
        in_step = shared_values(
            block.schema, compiled_for(block.schema).clean(synced_data(block.schema, source.data, block.data))
        )
        written = shared_values(block.schema, block.data)
        # A list item the source has no match for is the copy's own (lists of other lengths are not synced);
        # any other shared value set, changed or removed must stay the source's.
        refused = [
            key
            for key in self.changed
            if in_step.get(key, _ABSENT) != written.get(key, _ABSENT) and (key in written or "[" not in key)
        ]
        if refused:
            raise errors.ValidationFailed(
                f"Shared fields have one value in every locale: change them in the `{source.locale}` copy, "
                f"the source; `{block.locale}` follows it.",
                fields={
                    f"data.{key}": f"Shared with `{source.locale}`: not translated per locale; change it in the "
                    f"`{source.locale}` copy."
                    for key in refused
                },
            )
        return False

    def carry(self) -> None:
        """After the source is saved: every copy with the same schema takes its shared values, one revision each."""
        block = self.write.block
        comment = f"Shared fields from {block.locale}: " + ", ".join(self.changed)
        for copy in locked_copies(block):
            if not same_json(copy.schema, block.schema):
                continue  # schemas are kept in step; one that is not is left for `sync-shared-fields`
            data = synced_data(block.schema, block.data, copy.data)
            if not same_json(data, copy.data):
                rewrite_locked(copy, actor=self.write.actor, comment=comment, event="block.updated", data=data)


class BlockWrite:
    """One block's change inside a write: the locked row, its state before, what the tail will announce."""

    def __init__(
        self,
        block: SiteBlock,
        *,
        actor: Actor,
        comment: str,
        event: str | None,
        extra: dict | None = None,
        revision: bool = True,
        author: bool = True,
        before: dict | None = None,
        conflict_message: str | None = None,
        via: str | None = None,
    ) -> None:
        self.block = block
        self.via = via
        self.actor = actor
        self.comment = comment
        self.events: list[tuple[str, dict | None]] = [(event, extra)] if event else []
        self.records_revision = revision
        self.stamps_author = author
        self.before = block_state(block) if before is None and block.pk is not None else before
        self.original = row_values(block) if block.pk is not None else None
        self.conflict_message = conflict_message
        self.published = False
        self.cancelled = False
        self.finished = False
        self.revision: BlockRevision | None = None

    def publish(self) -> None:
        """Publish the row as the write leaves it: validated in full and snapshotted by the tail (after the
        version bump, so the snapshot names the new version); `block.published` is announced."""
        self.published = True
        self.events.append(("block.published", None))

    def emit(self, event: str, extra: dict | None = None) -> None:
        """Announce one more event with this write (after the ones given so far)."""
        self.events.append((event, extra))

    def cancel(self) -> None:
        """Nothing to write after all (the lock and the version check stand): no save, revision or event."""
        self.cancelled = True

    def changes_nothing(self) -> bool:
        """The row would be saved as it was read: the same values once sanitised, and a publish that would
        snapshot what is live already. Runs the tail's sanitising and flagging, which are idempotent."""
        block = self.block
        sanitize_richtext(block)
        if self.published:
            live = live_snapshot(block)
            if block.status != BlockStatus.PUBLISHED or not same_json(block.published_snapshot, live):
                return False
            check_publishable(block)  # what is live may predate today's rules: a re-publish still says so
            block.scheduled_publish_at = None  # what publishing does; a due publish still pending is a change
        else:
            refresh_unpublished_flag(block)
        original = self.original or {}
        current = {field.attname: getattr(block, field.attname) for field in block._meta.concrete_fields}
        # JSON columns compared as JSON (`[1]` then `[True]` is a change); the rest as Python values
        return all(
            same_json(current[name], value) if isinstance(value, (dict, list)) else current[name] == value
            for name, value in original.items()
            if name not in BOOKKEEPING
        )

    def finish(self, *, insert: bool = False) -> SiteBlock:
        """Run the tail now (once): touch, flag, save, revision, events, shared fields. See the module docstring."""
        if self.finished or self.cancelled:
            return self.block
        assert transaction.get_connection().in_atomic_block, "finish() a write inside block_write or atomic()"
        if not insert and self.changes_nothing():
            self.cancel()
            return self.block
        self.finished = True
        block = self.block
        shared = SharedFields(self)
        carries_shared = shared.check(insert=insert)
        if insert:
            sanitize_richtext(block)  # an update was sanitised, and flagged, by `changes_nothing`
        else:
            touch(block, self.actor, author=self.stamps_author)
        if self.published:
            # Last word before going live (review before publish): the content is final here, nothing saved.
            events.publishing.fire(actor=self.actor, block=block, via=self.via)
            publish_in_place(block)
        elif insert:
            refresh_unpublished_flag(block)
        check_asset_refs(block, None if insert else self.before)  # media references the write adds
        if insert or self.conflict_message is not None:
            # A savepoint (two more statements, so only for writes that can hit a unique slug or path): a row
            # taken meanwhile is `conflict`, and the outer transaction stays usable.
            try:
                with transaction.atomic():
                    block.save(force_insert=insert)
            except IntegrityError:
                raise errors.Conflict(self.conflict_message or CONCURRENT_CONFLICT) from None
        else:
            block.save()
        if self.records_revision:
            self.revision = record_block_revision(
                block,
                user=self.actor.user,
                comment=self.comment,
                before=None if insert else self.before,
                after=block_state(block),
            )
        for event, extra in self.events:
            events.emit(event, block, user=self.actor.user, extra=extra)
        if carries_shared:
            shared.carry()
        return block


@contextmanager
def block_write(
    *,
    actor: Actor,
    block: SiteBlock,
    expected_version: int | None,
    comment: str,
    event: str | None,
    extra: dict | None = None,
    revision: bool = True,
    author: bool = True,
    conflict_message: str | None = None,
    via: str | None = None,
) -> Iterator[BlockWrite]:
    """Lock `block`, check `expected_version`, hand the write its row, and run the tail when the body ends.

    `conflict_message`: for writes that may change a unique column (the path), what a concurrent taker gets.
    `revision=False`, `author=False`: for bookkeeping that is not content (a schedule, the scheduler clearing a
    due time): no history entry, and "updated by" keeps the last person who edited the block. `via`: what
    publishes on the caller's behalf (a release, "release:<id>"), told to `blocks.events.publishing`.

    If the body raises, nothing is written: the transaction rolls back and no event is announced.
    """
    with transaction.atomic(), events.together():
        locked = lock_block(block, expected_version)
        write = BlockWrite(
            locked,
            actor=actor,
            comment=comment,
            event=event,
            extra=extra,
            revision=revision,
            author=author,
            conflict_message=conflict_message,
            via=via,
        )
        yield write
        write.finish()


def locked_copies(block: SiteBlock, *, order_by: str = "pk") -> list[SiteBlock]:
    """The other locale copies of `block` (its translation group), locked, in a stable order."""
    return list(
        SiteBlock.objects.select_for_update()
        .filter(site_id=block.site_id, translation_key=block.translation_key)
        .exclude(pk=block.pk)
        .order_by(order_by)
    )


def schema_to_copies(
    block: SiteBlock, schema: list, *, actor: Actor, comment: str, only_changed: bool = False
) -> list[str]:
    """Give `block`'s other locale copies `schema` (schemas are kept in step across a translation group), each
    locked and written as a revision of its own (with `only_changed`, copies that already have it are left
    alone). Answers the locales written. Call it inside the caller's `block_write`, after finishing `block`."""
    written = []
    for copy in locked_copies(block):
        if only_changed and copy.schema == schema:
            continue
        rewrite_locked(copy, actor=actor, comment=comment, event="block.schema_updated", schema=schema)
        written.append(copy.locale)
    return written


def rewrite_locked(block: SiteBlock, *, actor: Actor, comment: str, event: str, **fields: Any) -> BlockRevision | None:
    """Set `fields` on a block the caller already locked and save it through the tail, as a revision of its own.

    For the locale copies a write reaches besides the block it names (a schema replaced or restored across the
    group, shared fields synced): each copy changes visibly, so each gets its history entry and event. Call it
    inside the caller's `block_write` (or `transaction.atomic()` with `events.together()`), so the group's
    events are one outbox row.
    """
    write = BlockWrite(block, actor=actor, comment=comment, event=event)
    for name, value in fields.items():
        setattr(block, name, value)
    write.finish()
    return write.revision


def save_rows(blocks: list[SiteBlock], columns: list[str], *, batch_size: int = 500) -> None:
    """Save `columns` (attnames) of many rows, a batch per statement.

    On PostgreSQL one `UPDATE … FROM (VALUES …)` per batch: Django's `bulk_update` writes a `CASE WHEN id = …`
    per column, which the database evaluates row by row against every branch, so its time grows with the
    square of the batch. A column that gets the same value in every row of the batch (the new schema of a
    template's followers) is sent once, not once per row. Elsewhere (SQLite, the tests' default)
    `bulk_update`."""
    by_attname = {field.attname: field for field in SiteBlock._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    if connection.vendor != "postgresql":
        SiteBlock.objects.bulk_update(blocks, [field.name for field in fields], batch_size=batch_size)
        return
    table = connection.ops.quote_name(SiteBlock._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(blocks), batch_size):
            batch = blocks[start : start + batch_size]
            shared = [field for field in fields if _same_in_all(batch, field.attname)]
            varying = [field for field in fields if field not in shared]
            # Each placeholder cast to its column's type: a VALUES list has no column types of its own.
            sets = [f"{_column(field)} = %s::{field.db_type(connection)}" for field in shared]
            sets += [f"{_column(field)} = v.{_column(field)}" for field in varying]
            params: list[Any] = [
                field.get_db_prep_save(getattr(batch[0], field.attname), connection) for field in shared
            ]
            row = "(" + ", ".join(["%s::integer", *(f"%s::{field.db_type(connection)}" for field in varying)]) + ")"
            for block in batch:
                params.append(block.pk)
                params.extend(field.get_db_prep_save(getattr(block, field.attname), connection) for field in varying)
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(batch))}) "
                f"AS v(id{''.join(', ' + _column(field) for field in varying)}) WHERE {table}.id = v.id",
                params,
            )


def _column(field: Any) -> str:
    return connection.ops.quote_name(str(field.column))


def _same_in_all(blocks: list[SiteBlock], attname: str) -> bool:
    first = getattr(blocks[0], attname)
    # JSON equality, types included: `1` and `true` are not the same value to write
    return all(getattr(block, attname) is first or same_json(getattr(block, attname), first) for block in blocks[1:])


def rewrite_locked_many(
    changes: list[tuple[SiteBlock, dict[str, Any]]], *, actor: Actor, comment: str, event: str, batch_size: int = 500
) -> list[SiteBlock]:
    """`rewrite_locked` for many blocks at once, with the same tail for each row, in bulk statements.

    For a write that reaches thousands of rows (a template's schema change reaches every follower and its
    locale copies): each row is set its `fields` and goes through the same steps as `BlockWrite.finish` (a
    no-op left alone; version bump and author; richtext sanitised; `hasUnpublishedChanges`; media references
    checked), then all rows are saved with one `UPDATE` per batch of the columns that changed, recorded as one
    revision each (`record_block_revisions`, a few bulk inserts) and announced, one event each, in order. So
    the queries grow by batch, not by row or by field. Call it inside `transaction.atomic()` with
    `events.together()`, with the rows locked. Answers the rows written.
    """
    writes: list[BlockWrite] = []
    for block, fields in changes:
        write = BlockWrite(block, actor=actor, comment=comment, event=event)
        for name, value in fields.items():
            setattr(block, name, value)
        if write.changes_nothing():
            write.cancel()
            continue
        write.finished = True
        touch(block, actor)
        check_asset_refs(block, write.before)
        writes.append(write)
    if not writes:
        return []
    columns = sorted(
        {
            name
            for write in writes
            for name, value in (write.original or {}).items()
            if not same_json(getattr(write.block, name), value)
        }
        - {"id"}
    )
    blocks = [write.block for write in writes]
    save_rows(blocks, columns, batch_size=batch_size)
    revisions = record_block_revisions(
        [(write.block, write.before, block_state(write.block)) for write in writes],
        user=actor.user,
        comment=comment,
        batch_size=batch_size,
    )
    for write, revision in zip(writes, revisions, strict=True):
        write.revision = revision
        for name, extra in write.events:
            events.emit(name, write.block, user=actor.user, extra=extra)
    return blocks


def insert_block(
    block: SiteBlock,
    *,
    actor: Actor,
    comment: str,
    event: str,
    extra: dict | None = None,
    conflict_message: str | None = None,
) -> SiteBlock:
    """Insert a new block row through the tail: its first revision (from nothing) and its event."""
    write = BlockWrite(
        block, actor=actor, comment=comment, event=event, extra=extra, before=None, conflict_message=conflict_message
    )
    return write.finish(insert=True)
