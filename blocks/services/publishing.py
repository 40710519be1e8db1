"""Publishing (snapshot the working copy for the delivery API) and unpublishing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    via: str | None = None,
) -> SiteBlock:
    """Publish the working copy. `skip_unchanged` (the admin's bulk action): a block that is already live
    exactly as it is gets no write at all (no revision, no version bump, no event), rather than an empty
    "Published" entry in its history. `via`: what publishes it on the caller's behalf ("release:<id>"), for
    the subscribers of `blocks.events.publishing` (a release's review covers its items)."""
    actor.require(Action.PUBLISH)
    with block_write(
        actor=actor, block=block, expected_version=expected_version, comment=comment, event=None, via=via
    ) as write:
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


def live_state(block: SiteBlock) -> dict[str, Any] | None:
    """What the delivery API serves of `block` now, in a form a later `block_put_live` takes back (JSON: it is
    kept in a release's items), or None when it is not live."""
    if block.status != BlockStatus.PUBLISHED or block.published_snapshot is None:
        return None
    return {
        "snapshot": block.published_snapshot,
        "publishedVersion": block.published_version,
        "publishedAt": block.published_at.isoformat() if block.published_at else None,
    }


def block_put_live(*, actor: Actor, block: SiteBlock, live: dict[str, Any] | None, comment: str) -> SiteBlock:
    """Make `live` (a `live_state`) what the delivery API serves again, or take the block off the live site
    when it is None: a release's rollback. The working copy stays as it is (`hasUnpublishedChanges` says
    whether it differs); the change is one new revision, announced as a publish or an unpublish."""
    actor.require(Action.PUBLISH)
    event = "block.unpublished" if live is None else "block.published"
    with block_write(actor=actor, block=block, expected_version=None, comment=comment, event=event) as write:
        row = write.block
        if live is None:
            if row.status != BlockStatus.PUBLISHED:
                write.cancel()
            else:
                unpublish_in_place(row)
        else:
            row.status = BlockStatus.PUBLISHED
            row.published_snapshot = live["snapshot"]
            row.published_version = live["publishedVersion"]
            row.published_at = datetime.fromisoformat(live["publishedAt"]) if live["publishedAt"] else None
    return write.block
