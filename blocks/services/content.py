"""Writing a block's content: its schema (kept in step across locale copies) and its data."""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from blocks.services.common import require_data_write
from blocks.services.translation import after_data_write
from blocks.services.writing import block_write, schema_to_copies
from schema import check_schema, compiled_for


def block_replace_schema(*, actor: Actor, block: SiteBlock, schema: list, expected_version: int | None) -> SiteBlock:
    """Replace the schema of `block` and of every locale copy of it, atomically, one revision each.

    Data is kept: keys the new schema no longer has become orphaned (listed, not validated, removable).
    `If-Match` applies to the block addressed; its copies are locked too so a concurrent write cannot slip in.
    """
    actor.require(Action.WRITE)
    checked = check_schema(schema)
    compiled_for(checked)  # compile once now, so the first read after the write finds it cached
    comment = "Replaced the schema"
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event="block.schema_updated"
    ) as write:
        write.block.schema = checked
        write.finish()  # the addressed block first, then its copies, in the history and the outbox row alike
        schema_to_copies(write.block, checked, actor=actor, comment=comment)
    return write.block


def block_update_data(
    *, actor: Actor, block: SiteBlock, data: dict, expected_version: int | None, publish: bool = False
) -> SiteBlock:
    """Merge `data` into the working copy (see the field reference, "Validating data"); `publish=True` publishes
    too, in the same write."""
    require_data_write(actor, block)
    if publish:
        actor.require(Action.PUBLISH)
    comment = "Updated data and published" if publish else "Updated data"
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event="block.updated"
    ) as write:
        target = write.block
        target.data = compiled_for(target.schema).apply_patch(target.data, data)
        after_data_write(target, keys=set(data))
        if publish:
            write.publish()
    return write.block
