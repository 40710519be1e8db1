"""Writes on reviews: submit a block or a release for review, approve, request changes.

Who may do what (docs/reviews.md):

- **Submit** a block's locale copy: whoever may edit it (editors and owners; translators for the copies in
  locales other than the site's default: a translator's "Ready for review" is exactly this request). A
  release: whoever may publish it (editors, owners). Submitting works whether or not the site requires
  review: on a site without it, it is a hand-off, not a gate.
- **Approve / request changes**: owners, and members given the reviewer flag (`Membership.is_reviewer`), but
  never on their own request (a review is a second pair of eyes). Requesting changes needs a comment that says
  which; approving a state that changed since it was submitted is refused (`conflict`): the submitter submits
  the new state.

Every write is one transaction, announces one `reviews.events.ReviewEvent` (the webhooks' outbox row is written
with it), and a new request supersedes the open one of the same block or release.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership, Role, Scope
from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from cms import errors, messages
from releases.models import Release, ReleaseItem, ReleaseStatus
from reviews import events
from reviews.fingerprints import block_fingerprint, release_fingerprint
from reviews.models import CommentKind, Review, ReviewComment, ReviewStatus

MAX_COMMENT_LENGTH = 5000


def clean_comment(comment: str | None, *, required: bool) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise errors.ValidationFailed(fields={"comment": "Required: say what should change."})
    if len(text) > MAX_COMMENT_LENGTH:
        raise errors.ValidationFailed(fields={"comment": messages.too_long(MAX_COMMENT_LENGTH)})
    return text


def _user(actor: Actor) -> User | None:
    return actor.user if getattr(actor.user, "pk", None) else None


# -- who may ----------------------------------------------------------------------------------------------
def may_submit_block(actor: Actor, block: SiteBlock) -> bool:
    if actor.can(Action.WRITE):
        return True
    return actor.can(Action.TRANSLATE) and block.locale != actor.site.default_locale


def require_submit_block(actor: Actor, block: SiteBlock) -> None:
    if not may_submit_block(actor, block):
        raise errors.Forbidden(
            "Translators submit only copies in the locales they translate."
            if actor.can(Action.TRANSLATE)
            else "Your role or token does not allow submitting this block for review."
        )


def may_review(actor: Actor) -> bool:
    """Owners, and members with the reviewer flag; a token needs a scope that writes (`write` or `publish`)."""
    if actor.token is not None and not ({Scope.WRITE, Scope.PUBLISH} & set(actor.scopes)):
        return False
    if actor.role == Role.OWNER:
        return True
    user = _user(actor)
    return (
        user is not None
        and actor.role is not None
        and Membership.objects.filter(user=user, site=actor.site, is_reviewer=True).exists()
    )


def require_review(actor: Actor) -> None:
    if not may_review(actor):
        raise errors.Forbidden("Only owners and members with the reviewer role approve or request changes.")


# -- submitting -----------------------------------------------------------------------------------------
def _announce(event: str, review: Review, comment: str, actor: Actor) -> None:
    block, release = review.block, review.release
    events.recorded.fire(
        events.ReviewEvent(
            event=event,
            site_id=review.site_id,
            review={
                "id": review.pk,
                "status": review.status,
                "targetVersion": review.target_version,
                "requestedBy": review.requested_by.get_username() if review.requested_by else None,
                "decidedBy": review.decided_by.get_username() if review.decided_by else None,
                "comment": comment,
            },
            block=None
            if block is None
            else {
                "id": block.pk,
                "slug": block.slug,
                "type": block.type,
                "locale": block.locale,
                "path": block.path,
                "status": block.status,
                "translationKey": str(block.translation_key),
            },
            release=None if release is None else {"id": release.pk, "name": release.name, "status": release.status},
            version=review.target_version,
            user_id=getattr(_user(actor), "pk", None),
        )
    )


def _open(actor: Actor, comment: str, **target: Any) -> Review:
    """Supersede the target's open request, then record the new one with its comment and announce it."""
    Review.objects.filter(
        status=ReviewStatus.PENDING, **{k: v for k, v in target.items() if k in ("block", "release")}
    ).update(status=ReviewStatus.SUPERSEDED, version=F("version") + 1)
    review = Review.objects.create(site=actor.site, requested_by=_user(actor), **target)
    ReviewComment.objects.create(review=review, kind=CommentKind.REQUESTED, body=comment, author=_user(actor))
    _announce("review.requested", review, comment, actor)
    return review


def review_submit_block(*, actor: Actor, block: SiteBlock, comment: str | None, expected_version: int | None) -> Review:
    """Ask for a review of the block's working copy as it is now (`expected_version`: as the caller saw it)."""
    require_submit_block(actor, block)
    text = clean_comment(comment, required=False)
    with transaction.atomic():
        locked = SiteBlock.objects.select_for_update(of=("self",)).select_related("site").filter(pk=block.pk).first()
        if locked is None:
            raise errors.NotFound("This block no longer exists.")
        if expected_version is not None and locked.version != expected_version:
            raise errors.StaleWrite()
        return _open(
            actor,
            text,
            block=locked,
            target_version=locked.version,
            fingerprint=block_fingerprint(locked),
        )


def _release_items(release: Release) -> list[ReleaseItem]:
    return list(release.items.select_related("block").order_by("id"))


def review_submit_release(
    *, actor: Actor, release: Release, comment: str | None, expected_version: int | None
) -> Review:
    """Ask for a review of the release as it is now: its items and the state of each block it publishes."""
    actor.require(Action.PUBLISH, "Only editors and owners submit releases for review.")
    text = clean_comment(comment, required=False)
    with transaction.atomic():
        locked = Release.objects.select_for_update().filter(pk=release.pk).first()
        if locked is None:
            raise errors.NotFound("This release no longer exists.")
        if expected_version is not None and locked.version != expected_version:
            raise errors.StaleWrite(
                "The release changed since you read it (If-Match does not match). Reload and retry."
            )
        if locked.status != ReleaseStatus.OPEN:
            raise errors.Conflict("This release was published already: there is nothing left to review.")
        items = _release_items(locked)
        if not items:
            raise errors.ValidationFailed("An empty release has nothing to review.", fields={"items": "Add blocks."})
        return _open(
            actor,
            text,
            release=locked,
            target_version=locked.version,
            fingerprint=release_fingerprint(items),
        )


# -- deciding -------------------------------------------------------------------------------------------
def current_fingerprint(review: Review) -> str | None:
    """The fingerprint of the review's target as it is now (None: a release no longer open)."""
    if review.block_id is not None:
        return block_fingerprint(SiteBlock.objects.get(pk=review.block_id))
    release = Release.objects.get(pk=review.release_id or 0)
    if release.status != ReleaseStatus.OPEN:
        return None
    return release_fingerprint(_release_items(release))


def _decide(
    *, actor: Actor, review: Review, status: str, kind: str, comment: str, expected_version: int | None
) -> Review:
    require_review(actor)
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update(of=("self",))
            .select_related("block", "release", "requested_by")
            .filter(pk=review.pk, site=actor.site)
            .first()
        )
        if locked is None:
            raise errors.NotFound("This review no longer exists.")
        if expected_version is not None and locked.version != expected_version:
            raise errors.StaleWrite("The review changed since you read it (If-Match does not match). Reload and retry.")
        if locked.status != ReviewStatus.PENDING:
            raise errors.Conflict(f"This review is closed ({locked.get_status_display().lower()}): nothing to decide.")
        user = _user(actor)
        if user is not None and locked.requested_by_id == user.pk:
            raise errors.Forbidden("You cannot review your own request: another reviewer decides.")
        if status == ReviewStatus.APPROVED and current_fingerprint(locked) != locked.fingerprint:
            what = "block" if locked.block_id else "release"
            raise errors.Conflict(
                f"The {what} changed after it was submitted for review: what you would approve is not what is there "
                "now. Request changes, or ask the submitter to submit it again."
            )
        locked.status = status
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "decided_by", "decided_at", "version"])
        ReviewComment.objects.create(review=locked, kind=kind, body=comment, author=user)
        _announce(f"review.{status}", locked, comment, actor)
    return locked


def review_approve(*, actor: Actor, review: Review, comment: str | None, expected_version: int | None) -> Review:
    """Approve the state that was submitted: from now on exactly that state may be published."""
    text = clean_comment(comment, required=False)
    return _decide(
        actor=actor,
        review=review,
        status=ReviewStatus.APPROVED,
        kind=CommentKind.APPROVED,
        comment=text,
        expected_version=expected_version,
    )


def review_request_changes(
    *, actor: Actor, review: Review, comment: str | None, expected_version: int | None
) -> Review:
    """Send it back with what to change (the comment is required); the submitter fixes and submits again."""
    text = clean_comment(comment, required=True)
    return _decide(
        actor=actor,
        review=review,
        status=ReviewStatus.CHANGES_REQUESTED,
        kind=CommentKind.CHANGES_REQUESTED,
        comment=text,
        expected_version=expected_version,
    )
