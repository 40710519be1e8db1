"""Publishing (snapshot the working copy for the delivery API) and unpublishing."""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services.writing import block_write, is_live_as_is, unpublish_in_place


def block_publish(
    *,
    actor: Actor,
    block: SiteBlock,
    expected_version: int | None,
    comment: str = "Published",
    skip_unchanged: bool = False,
) -> SiteBlock:
    """Publish the working copy. `skip_unchanged` (the admin's bulk action): a block that is already live
    exactly as it is gets no write at all (no revision, no version bump, no event), rather than an empty
    "Published" entry in its history."""
    actor.require(Action.PUBLISH)
    with block_write(actor=actor, block=block, expected_version=expected_version, comment=comment, event=None) as write:
        if skip_unchanged and is_live_as_is(write.block):
            write.cancel()
        else:
            write.publish()
    return write.block


def block_unpublish(
    *, actor: Actor, block: SiteBlock, expected_version: int | None, comment: str = "Unpublished"
) -> SiteBlock:
    """Back to draft; the delivery API stops serving it at once. A draft block is answered unchanged."""
    actor.require(Action.PUBLISH)
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event="block.unpublished"
    ) as write:
        if write.block.status != BlockStatus.PUBLISHED:
            write.cancel()
        else:
            unpublish_in_place(write.block)
    return write.block
