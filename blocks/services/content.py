"""Writing a block's content: its schema (kept in step across locale copies) and its data."""

from __future__ import annotations

from typing import cast

from django.db import transaction

from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services.common import (
    block_state,
    lock_block,
    refresh_unpublished_flag,
    require_data_write,
    rewrite_as_revision,
    touch,
)
from blocks.services.publishing import publish_in_place
from blocks.services.translation import after_data_write
from revisions.recording import block_revision
from schema import check_schema, compiled_for


def block_replace_schema(*, actor: Actor, block: SiteBlock, schema: object, expected_version: int | None) -> SiteBlock:
    """Replace the schema of `block` and of every locale copy of it, atomically, one revision each.

    Data is kept: keys the new schema no longer has become orphaned (listed, not validated, removable).
    `If-Match` applies to the block addressed; its copies are locked too so a concurrent write cannot slip in.
    """
    actor.require(Action.WRITE)
    checked = check_schema(schema)
    compiled_for(checked)  # compile once now, so the first read after the write finds it cached
    with transaction.atomic(), events.together():  # one outbox row for the whole group's events
        block = lock_block(block, expected_version)
        copies = list(
            SiteBlock.objects.select_for_update()
            .filter(site_id=block.site_id, translation_key=block.translation_key)
            .exclude(pk=block.pk)
            .order_by("pk")
        )
        for target in [block, *copies]:
            rewrite_as_revision(
                target, actor=actor, comment="Replaced the schema", event="block.schema_updated", schema=checked
            )
    return block


def block_update_data(
    *, actor: Actor, block: SiteBlock, data: object, expected_version: int | None, publish: bool = False
) -> SiteBlock:
    """Merge `data` into the working copy (FIELDS.md "Validating data"); `publish=True` publishes too."""
    require_data_write(actor, block)
    if publish:
        actor.require(Action.PUBLISH)
    comment = "Updated data and published" if publish else "Updated data"
    with transaction.atomic(), block_revision(user=actor.user, comment=comment) as recorder:
        block = lock_block(block, expected_version)
        before = block_state(block)
        block.data = compiled_for(block.schema).apply_patch(block.data, data)
        after_data_write(block, keys=set(cast(dict, data)))  # `apply_patch` refuses anything but an object
        touch(block, actor)
        if publish:
            publish_in_place(block)
        else:
            refresh_unpublished_flag(block)
        block.save()
        recorder.track(block, before=before)
        with events.together():  # one outbox row for both
            events.emit("block.updated", block, user=actor.user)
            if publish:
                events.emit("block.published", block, user=actor.user)
    return block
