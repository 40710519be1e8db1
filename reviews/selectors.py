"""Reads of reviews: a site's list (by status, what waits for me), one review, a block's review state, and
`waiting_for(user)`, what waits for a person's review across their sites (the admin dashboard lists it).

Every list joins its targets and people and prefetches comments in one go, so the query count does not grow
with the number of reviews.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Membership, Role
from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from cms import errors
from cms.digits import parse_decimal
from releases.models import Release
from reviews.fingerprints import block_fingerprint
from reviews.models import Review, ReviewComment, ReviewStatus


def _with_everything(query: QuerySet[Review]) -> QuerySet[Review]:
    return query.select_related("site", "block", "release", "requested_by", "decided_by").prefetch_related(
        Prefetch("comments", queryset=ReviewComment.objects.select_related("author").order_by("created_at", "id"))
    )


def reviewable_site_ids(user) -> QuerySet | None:
    """The sites where `user` reviews (owner or reviewer flag); None: every site (a superuser)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none().values("site_id")
    if user.is_superuser:
        return None
    return Membership.objects.filter(Q(role=Role.OWNER) | Q(is_reviewer=True), user=user).values("site_id")


def waiting_for(user, *, site=None) -> QuerySet[Review]:
    """Open review requests `user` may decide (not their own), oldest first: what waits for their review."""
    query = Review.objects.filter(status=ReviewStatus.PENDING)
    sites = reviewable_site_ids(user)
    if sites is not None:
        query = query.filter(site_id__in=sites)
    if site is not None:
        query = query.filter(site=site)
    if getattr(user, "pk", None):
        query = query.exclude(requested_by_id=user.pk)
    return _with_everything(query).order_by("requested_at", "id")


def translations_waiting(user, site_ids: list[int]) -> QuerySet[Review]:
    """Locale copies handed off for review ("Ready for review") on `site_ids` that `user` does not decide
    (their editors are told; the reviewers see them in `waiting_for`), not their own, oldest first."""
    query = Review.objects.filter(status=ReviewStatus.PENDING, block__isnull=False, site_id__in=site_ids).exclude(
        block__locale=models.F("site__default_locale")
    )
    deciding = reviewable_site_ids(user)
    query = query.none() if deciding is None else query.exclude(site_id__in=deciding)
    if getattr(user, "pk", None):
        query = query.exclude(requested_by_id=user.pk)
    return _with_everything(query).order_by("requested_at", "id")


def reviews_for_actor(actor: Actor, *, status: str | None = None, waiting_for_me: bool = False) -> QuerySet[Review]:
    actor.require(Action.READ)
    if waiting_for_me:
        query = waiting_for(actor.user, site=actor.site) if _reviews_here(actor) else Review.objects.none()
    else:
        query = _with_everything(Review.objects.filter(site=actor.site)).order_by("-requested_at", "-id")
    if status is not None:
        query = query.filter(status=status)
    return query


def _reviews_here(actor: Actor) -> bool:
    if actor.role == Role.OWNER:
        return True
    user_id = getattr(actor.user, "pk", None)
    return (
        user_id is not None and Membership.objects.filter(user_id=user_id, site=actor.site, is_reviewer=True).exists()
    )


def review_for_actor(actor: Actor, review_id: str) -> Review:
    actor.require(Action.READ)
    pk = parse_decimal(review_id)
    found = _with_everything(Review.objects.filter(site=actor.site, pk=pk)).first() if pk is not None else None
    if found is None:
        raise errors.NotFound(f"No review {review_id} on this site.")
    return found


def reviews_of_block(block: SiteBlock) -> list[Review]:
    """The block's review requests, newest first, with their comments: its review history."""
    return list(_with_everything(Review.objects.filter(block=block)).order_by("-requested_at", "-id"))


def reviews_of_release(release: Release) -> list[Review]:
    return list(_with_everything(Review.objects.filter(release=release)).order_by("-requested_at", "-id"))


@dataclass(frozen=True)
class BlockReviewState:
    """What the admin's action bar says about review: the latest request, and whether the block as it is now
    is approved (the rule of `reviews.gate`)."""

    required: bool
    latest: Review | None
    approved_now: bool
    history: list[Review]

    @property
    def words(self) -> str:
        latest = self.latest
        if self.approved_now:
            return "Approved: this state may be published."
        if latest is None:
            return "Not submitted for review." + (" Review is required before publishing." if self.required else "")
        if latest.status == ReviewStatus.PENDING:
            if latest.fingerprint == self.fingerprint:
                return "Waiting for review."
            return "Changed since it was submitted for review: submit it again."
        if latest.status == ReviewStatus.CHANGES_REQUESTED:
            return "Changes requested: fix them and submit for review again."
        return "Changed since it was approved: submit it for review again."

    fingerprint: str = ""


def block_review_state(block: SiteBlock) -> BlockReviewState:
    history = [review for review in reviews_of_block(block)]
    fingerprint = block_fingerprint(block)
    latest = next((review for review in history if review.status != ReviewStatus.SUPERSEDED), None)
    approved_now = any(r.status == ReviewStatus.APPROVED and r.fingerprint == fingerprint for r in history)
    return BlockReviewState(
        required=block.site.review_required,
        latest=latest,
        approved_now=approved_now,
        history=history,
        fingerprint=fingerprint,
    )
