"""Publishing (snapshot the working copy for the delivery API) and unpublishing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockStatus, SiteBlock
from blocks.services.common import block_state, live_data, lock_block, touch
from cms import errors
from revisions.recording import block_revision
from schema import compiled_for


def publish_in_place(block: SiteBlock) -> None:
    """Validate fully (`required` included) and snapshot; the caller saves, within its transaction.

    The snapshot leaves out orphaned keys: the live site shows only what the current schema describes.
    """
    problems = compiled_for(block.schema).validate(block.data, publish=True)
    if problems:
        raise errors.ValidationFailed("The block cannot be published until these fields are fixed.", fields=problems)
    block.status = BlockStatus.PUBLISHED
    block.published_snapshot = {"schema": block.schema, "data": live_data(block.schema, block.data)}
    block.published_version = block.version
    block.published_at = timezone.now()
    block.scheduled_publish_at = None
    block.has_unpublished_changes = False


def block_publish(
    *, actor: Actor, block: SiteBlock, expected_version: int | None, comment: str = "Published"
) -> SiteBlock:
    actor.require(Action.PUBLISH)
    with transaction.atomic(), block_revision(user=actor.user, comment=comment) as recorder:
        block = lock_block(block, expected_version)
        before = block_state(block)
        touch(block, actor)
        publish_in_place(block)
        block.save()
        recorder.track(block, before=before)
        events.emit("block.published", block, user=actor.user)
    return block


def unpublish_in_place(block: SiteBlock) -> None:
    block.status = BlockStatus.DRAFT
    block.published_snapshot = None
    block.published_version = None
    block.published_at = None
    block.scheduled_unpublish_at = None
    block.has_unpublished_changes = False


def block_unpublish(
    *, actor: Actor, block: SiteBlock, expected_version: int | None, comment: str = "Unpublished"
) -> SiteBlock:
    """Back to draft; the delivery API stops serving it at once. A draft block is answered unchanged."""
    actor.require(Action.PUBLISH)
    with transaction.atomic():
        block = lock_block(block, expected_version)
        if block.status != BlockStatus.PUBLISHED:
            return block
        with block_revision(user=actor.user, comment=comment) as recorder:
            before = block_state(block)
            touch(block, actor)
            unpublish_in_place(block)
            block.save()
            recorder.track(block, before=before)
            events.emit("block.unpublished", block, user=actor.user)
    return block
