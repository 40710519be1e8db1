"""Writing a block's content: its schema (kept in step across locale copies) and its data."""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from blocks.services.common import require_data_write
from blocks.services.schema_change import plan
from blocks.services.templates import require_own_schema
from blocks.services.translation import after_data_write
from blocks.services.writing import block_write, locked_copies
from cms import errors
from schema import check_schema, compiled_for
from schema.identity import with_ids


def block_replace_schema(
    *, actor: Actor, block: SiteBlock, schema: list, expected_version: int | None, dry_run: bool = False
) -> tuple[SiteBlock, dict]:
    """Replace the schema of `block` and of every locale copy of it, atomically, one revision each, and
    answer the block with the change's report (`meta.schemaChange`, docs/fields.md "Changing a schema").

    Fields are matched by id (`schema.identity`): a renamed or moved field keeps its values and translation
    fingerprints in every copy, a type change converts them, and what cannot follow is kept as an orphan and
    listed. The published snapshot is left as it was (the live site changes at the next publish).
    `dry_run`: the same report, nothing written. `If-Match` applies to the block addressed; its copies are
    locked too so a concurrent write cannot slip in. A block that follows a template is refused
    (`blocks.services.templates`): its schema is the template's.
    """
    actor.require(Action.WRITE)
    require_own_schema(block)
    old_schema = with_ids(block.schema or [])
    checked = check_schema(schema, previous=old_schema)
    compiled_for(checked)  # compile once now, so the first read after the write finds it cached
    default_locale = block.site.default_locale
    if dry_run:
        if expected_version is not None and block.version != expected_version:
            raise errors.StaleWrite()
        copies = list(
            SiteBlock.objects.filter(site_id=block.site_id, translation_key=block.translation_key)
            .exclude(pk=block.pk)
            .order_by("pk")
        )
        change = plan([block, *copies], checked, old_schema=old_schema, default_locale=default_locale)
        return block, change.report(dry_run=True)
    comment = "Replaced the schema"
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event="block.schema_updated"
    ) as write:
        require_own_schema(write.block)  # it may have started following a template meanwhile
        copies = locked_copies(write.block)
        old_schema = with_ids(write.block.schema or [])
        change = plan([write.block, *copies], checked, old_schema=old_schema, default_locale=default_locale)
        change.apply(write.block)
        write.finish()  # the addressed block first, then its copies, in the history and the outbox row alike
        change.write_copies(copies, actor=actor, comment=comment)
    return write.block, change.report(dry_run=False)


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
        before = target.data
        target.data = compiled_for(target.schema).apply_patch(target.data, data)
        after_data_write(target, before=before)
        if publish:
            write.publish()
    return write.block
