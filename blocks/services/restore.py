"""Restoring a block to a revision: its schema and data come back as a new revision.

The schema comes back with the data, so a revision's data always lands on the schema it was written against
(restoring data onto a schema that has moved on would orphan or reject it silently). Schemas are kept in step
across locale copies (see `block_replace_schema`), so when the restored schema differs from the current one
the copies get it too, one revision each. The answer's `meta` says what changed.
"""

from __future__ import annotations

from django.db import transaction

from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services.common import block_state, lock_block, refresh_unpublished_flag, rewrite_as_revision, touch
from blocks.services.publishing import publish_in_place
from blocks.services.translation import after_data_replaced
from cms import errors
from revisions.recording import block_revision
from revisions.selectors import revision_of_block, revision_state
from schema import check_schema, compiled_for


def block_restore(
    *, actor: Actor, block: SiteBlock, revision_id: object, expected_version: int | None, publish: bool = False
) -> tuple[SiteBlock, dict]:
    """Put `block`'s schema and data back as revision `revision_id` recorded them; returns (block, meta).

    `publish=True` publishes in the same transaction (a restored state that would not publish fails whole).
    """
    actor.require(Action.WRITE)
    if publish:
        actor.require(Action.PUBLISH)
    target = revision_of_block(block, revision_id)
    state = revision_state(target)
    try:
        schema = check_schema(state["schema"])
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            f"Revision {target.pk}'s schema is no longer valid; it cannot be restored.", fields=exc.fields
        ) from None
    compiled_for(schema)  # compile before taking locks, as a schema write does
    comment = f"Restored from revision {target.pk}" + (" and published" if publish else "")
    with transaction.atomic(), events.together():  # one outbox row, the copies' schema events included
        block = lock_block(block, expected_version)
        schema_changed = block.schema != schema
        with block_revision(user=actor.user, comment=comment) as recorder:
            before = block_state(block)
            block.schema = schema
            block.data = state["data"]
            after_data_replaced(block, before["data"])  # translation fingerprints follow the data
            touch(block, actor)
            if publish:
                publish_in_place(block)
            else:
                refresh_unpublished_flag(block)
            block.save()
            recorder.track(block, before=before)
            events.emit("block.restored", block, user=actor.user, extra={"revisionId": target.pk})
            if publish:
                events.emit("block.published", block, user=actor.user)
        copies_updated = _restore_schema_of_copies(actor, block, schema, target.pk) if schema_changed else []
    meta = {
        "restoredFrom": target.pk,
        "schemaRestored": schema_changed,
        "schemaAlsoRestoredIn": copies_updated,
        "changes": recorder.saved[0].changes,
    }
    return block, meta


def _restore_schema_of_copies(actor: Actor, block: SiteBlock, schema: list, revision_pk: int) -> list[str]:
    copies = list(
        SiteBlock.objects.select_for_update()
        .filter(site_id=block.site_id, translation_key=block.translation_key)
        .exclude(pk=block.pk)
        .order_by("pk")
    )
    updated = []
    for copy in copies:
        if copy.schema == schema:
            continue
        comment = f"Schema restored from revision {revision_pk} ({block.locale})"
        rewrite_as_revision(copy, actor=actor, comment=comment, event="block.schema_updated", schema=schema)
        updated.append(copy.locale)
    return updated
