"""The rule of review before publish, subscribed to the publishing hooks (`wiring.connect`):

on a site with `review_required`, a block or a release goes live only in a state a reviewer approved. The
check runs inside the publishing services themselves (`blocks.events.publishing`, fired by the one write path
just before a write publishes; `releases.events.publishing`, before a release writes any block), so the API,
the admin, a release and the scheduled-publish worker all obey it, and a refusal writes nothing.

- A block publish passes when an approved review of that block has the fingerprint of what would go live.
- A release passes when an approved review of the release has its current fingerprint, or, failing that, when
  every block it publishes is approved as it is now (each was reviewed on its own). Its items' block publishes
  (`via="release:<id>"`) are not checked again.
- Unpublishing, and a release's rollback (which puts back what was live before), need no approval.
"""

from __future__ import annotations

from accounts.permissions import Actor
from blocks.models import SiteBlock
from cms import errors
from releases.models import ItemAction, Release, ReleaseItem
from reviews.fingerprints import block_fingerprint, release_fingerprint
from reviews.models import Review, ReviewStatus


def _latest(**target) -> Review | None:
    return (
        Review.objects.filter(**target).exclude(status=ReviewStatus.SUPERSEDED).order_by("-requested_at", "-id").first()
    )


def _why(latest: Review | None, fingerprint: str, what: str, submit: str) -> str:
    if latest is None:
        return (
            f"This site reviews before publishing and this {what} was not approved: {submit}, "
            "and publish once a reviewer approves it."
        )
    if latest.status == ReviewStatus.PENDING and latest.fingerprint == fingerprint:
        return f"This {what} is waiting for review (review {latest.pk}): publish once a reviewer approves it."
    if latest.status == ReviewStatus.CHANGES_REQUESTED:
        return (
            f"A reviewer requested changes to this {what} (review {latest.pk}): make them, {submit} again, "
            "and publish once it is approved."
        )
    return (
        f"This {what} changed after it was submitted or approved (review {latest.pk}): {submit} again, "
        "and publish once a reviewer approves this state."
    )


def refuse_unapproved_block(*, actor: Actor, block: SiteBlock, via: str | None = None) -> None:
    """Subscribed to `blocks.events.publishing`: `review_required` unless this exact state was approved."""
    if not block.site.review_required or (via or "").startswith("release:"):
        return
    fingerprint = block_fingerprint(block)
    if Review.objects.filter(block_id=block.pk, status=ReviewStatus.APPROVED, fingerprint=fingerprint).exists():
        return
    raise errors.ReviewRequired(
        _why(_latest(block_id=block.pk), fingerprint, "block", "submit it for review (Submit for review)")
    )


def refuse_unapproved_release(*, actor: Actor, release: Release, items: list[ReleaseItem]) -> None:
    """Subscribed to `releases.events.publishing`: `review_required` unless the release, or every block it
    publishes, is approved as it is now."""
    if not actor.site.review_required:
        return
    fingerprint = release_fingerprint(items)
    if Review.objects.filter(release_id=release.pk, status=ReviewStatus.APPROVED, fingerprint=fingerprint).exists():
        return
    wanted = {item.block_id: block_fingerprint(item.block) for item in items if item.action == ItemAction.PUBLISH}
    approved = set(
        Review.objects.filter(
            block_id__in=wanted, status=ReviewStatus.APPROVED, fingerprint__in=wanted.values()
        ).values_list("block_id", "fingerprint")
    )
    if all((block_id, print_) in approved for block_id, print_ in wanted.items()):
        return
    raise errors.ReviewRequired(
        _why(_latest(release_id=release.pk), fingerprint, "release", "submit the release for review")
    )
