"""Restoring a block to a revision: its schema and data come back as a new revision.

The schema comes back with the data, so a revision's data always lands on the schema it was written against
(restoring data onto a schema that has moved on would orphan or reject it silently). Schemas are kept in step
across locale copies (see `block_replace_schema`), so when the restored schema differs from the current one
the copies get it too, one revision each. The answer's `meta` says what changed.
"""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from blocks.services.templates import require_own_schema
from blocks.services.translation import after_data_replaced
from blocks.services.writing import block_write, schema_to_copies
from cms import errors
from revisions.selectors import revision_of_block, revision_state
from schema import check_schema, compiled_for, format_path, value_problems


def block_restore(
    *, actor: Actor, block: SiteBlock, revision_number: int | str, expected_version: int | None, publish: bool = False
) -> tuple[SiteBlock, dict]:
    """Put `block`'s schema and data back as revision number `revision_number` recorded them; returns
    (block, meta). A restore that would leave the block as it is writes nothing (the write path's no-op).

    `publish=True` publishes in the same transaction (a restored state that would not publish fails whole).
    """
    actor.require(Action.WRITE)
    if publish:
        actor.require(Action.PUBLISH)
    target = revision_of_block(block, revision_number)
    state = revision_state(target)
    try:
        schema = check_schema(state["schema"], previous=block.schema)
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            f"Revision {target.number}'s schema is no longer valid; it cannot be restored.", fields=exc.fields
        ) from None
    data = state["data"]
    problems: dict[str, str] = {}
    for key, value in data.items() if isinstance(data, dict) else ():
        problems.update(value_problems(value, format_path("data", (key,))))
    if problems:  # written before the limits (schema.limits) held: restoring would store it again
        raise errors.ValidationFailed(
            f"Revision {target.number}'s data is outside today's limits; it cannot be restored.", fields=problems
        )
    if schema != block.schema:
        require_own_schema(block)  # a follower's schema is its template's: an old one would fork it from it
    compiled_for(schema)  # compile before taking locks, as a schema write does
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
        schema_changed = restored.schema != schema
        before_data = restored.data
        restored.schema = schema
        restored.data = state["data"]
        after_data_replaced(restored, before_data)  # translation fingerprints follow the data
        if publish:
            write.publish()
        write.finish()  # the block first, then the copies' schemas: one outbox row for all of them
        copies_updated = (
            schema_to_copies(
                restored,
                schema,
                actor=actor,
                comment=f"Schema restored from revision {target.number} ({restored.locale})",
                only_changed=True,
            )
            if schema_changed
            else []
        )
    block = write.block
    meta = {
        "restoredFrom": target.number,
        "schemaRestored": schema_changed,
        "schemaAlsoRestoredIn": copies_updated,
        "changes": write.revision.changes if write.revision else [],  # none: the block was as restored
    }
    return block, meta
