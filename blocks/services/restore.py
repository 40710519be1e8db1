"""Restoring a block to a revision: its data (and, if asked, its schema) come back as a new revision.

A revision recorded before a schema change holds data written against the schema of its day. By default the
block keeps today's schema and the revision's data is carried to it through the field ids, exactly as a
schema change carries data (`schema.evolution.migrate`): a renamed or moved field's value comes back under
its current name, a type change converts it, and a value that no longer maps is kept as an orphan and listed
(`meta.mapping`), never dropped. Revisions older than field ids are matched by name (`schema.identity`).

With `restore_schema=True` the revision's schema comes back too, with its data as it was; schemas are kept
in step across locale copies, so the other copies are changed to that schema as any schema change changes
them (their values follow their fields: `blocks.services.schema_change`), one revision each.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from blocks.services.schema_change import plan
from blocks.services.templates import require_own_schema
from blocks.services.translation import after_data_replaced, group_source
from blocks.services.writing import block_write, locked_copies
from blocks.translation_units import synced_data
from cms import errors
from revisions.models import BlockRevision
from revisions.selectors import revision_of_block, revision_state
from schema import check_schema, format_path, value_problems
from schema.evolution import migrate
from schema.identity import with_ids


@dataclass
class RestoredState:
    """What restoring a revision puts in the working copy: the schema, the data, and how the data was mapped
    (`None` when the revision's schema comes back with it)."""

    revision: BlockRevision
    schema: list[dict]
    data: dict
    mapping: dict | None


def restored_state(block: SiteBlock, revision_number: int | str, *, restore_schema: bool = False) -> RestoredState:
    """The schema and data that restoring revision `revision_number` of `block` would write; raises
    `validation_failed` when the revision cannot be restored. Pure apart from reading the revision: the
    admin's preview shows it, the restore writes it."""
    target = revision_of_block(block, revision_number)
    state = revision_state(target)
    current = with_ids(block.schema or [])
    raw_schema = state["schema"] if isinstance(state["schema"], list) else []
    try:
        # Ids by name for a revision older than field ids; checked so that a mapping reads a sound schema.
        old_schema = check_schema(with_ids(raw_schema, current), previous=current)
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            f"Revision {target.number}'s schema is no longer valid; it cannot be restored.", fields=exc.fields
        ) from None
    data = state["data"] if isinstance(state["data"], dict) else {}
    problems: dict[str, str] = {}
    for key, value in data.items():
        problems.update(value_problems(value, format_path("data", (key,))))
    if problems:  # written before the limits (schema.limits) held: restoring would store it again
        raise errors.ValidationFailed(
            f"Revision {target.number}'s data is outside today's limits; it cannot be restored.", fields=problems
        )
    if restore_schema:
        return RestoredState(target, old_schema, data, None)
    migration = migrate(old_schema, current, data)
    return RestoredState(target, block.schema, migration.data, migration.report())


def block_restore(
    *,
    actor: Actor,
    block: SiteBlock,
    revision_number: int | str,
    expected_version: int | None,
    publish: bool = False,
    restore_schema: bool = False,
) -> tuple[SiteBlock, dict]:
    """Put `block`'s data back as revision number `revision_number` recorded it, carried to today's schema
    (or, with `restore_schema`, with the revision's schema); returns (block, meta). A restore that would
    leave the block as it is writes nothing (the write path's no-op).

    `publish=True` publishes in the same transaction (a restored state that would not publish fails whole).
    """
    actor.require(Action.WRITE)
    if publish:
        actor.require(Action.PUBLISH)
    preview = restored_state(block, revision_number, restore_schema=restore_schema)  # refused unlocked
    target = preview.revision
    if restore_schema and preview.schema != block.schema:
        require_own_schema(block)  # a follower's schema is its template's: an old one would fork it from it
    comment = f"Restored from revision {target.number}" + (" and published" if publish else "")
    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment=comment,
        event="block.restored",
        extra={"revisionId": target.pk, "revisionNumber": target.number},
    ) as write:
        restored = write.block
        # Worked out again under the lock: the schema the data is carried to is the one being replaced.
        restored_to = restored_state(restored, revision_number, restore_schema=restore_schema)
        schema_changed = restore_schema and restored.schema != restored_to.schema
        change = None
        copies: list[SiteBlock] = []
        if schema_changed:
            # The copies follow the schema as any schema change moves them; planned before the addressed
            # block's data is replaced, so their fingerprints are carried against the source as it was.
            copies = locked_copies(restored)
            change = plan(
                [restored, *copies],
                restored_to.schema,
                old_schema=with_ids(restored.schema or []),
                default_locale=restored.site.default_locale,
            )
        before_data = restored.data
        restored.schema = restored_to.schema
        restored.data = restored_to.data
        source = None if schema_changed else group_source(restored)
        if source is not None and source.pk != restored.pk and source.schema == restored.schema:
            # A copy's shared values are the source's, whatever they were when the revision was recorded.
            restored.data = synced_data(restored.schema, source.data, restored.data)
        after_data_replaced(restored, before_data)  # translation fingerprints follow the data
        if publish:
            write.publish()
        write.finish()  # the block first, then the copies' schemas: one outbox row for all of them
        if change is not None:
            change.write_copies(
                copies, actor=actor, comment=f"Schema restored from revision {target.number} ({restored.locale})"
            )
    block = write.block
    meta = {
        "restoredFrom": target.number,
        "schemaRestored": schema_changed,
        "schemaAlsoRestoredIn": [c.locale for c in copies],
        "mapping": restored_to.mapping,
        "changes": write.revision.changes if write.revision else [],  # none: the block was as restored
    }
    if change is not None:
        report = change.report(dry_run=False)
        meta["schemaChange"] = {**report, "copies": report["copies"][1:]}  # the copies': the block took the revision's
    return block, meta
