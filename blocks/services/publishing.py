"""Publishing (snapshot the working copy for the delivery API) and unpublishing."""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services.writing import block_write, unpublish_in_place


def block_publish(
    *, actor: Actor, block: SiteBlock, expected_version: int | None, comment: str = "Published"
) -> SiteBlock:
    actor.require(Action.PUBLISH)
    with block_write(actor=actor, block=block, expected_version=expected_version, comment=comment, event=None) as write:
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
