"""Reviews in the admin: "Reviews waiting for me" (the app's entry in the admin nav), and one review's page,
where owners and reviewers approve or request changes with a comment and everyone reads its history.

A block's own review page (submit for review, the state in words, the same decision form) is in the editor
(`editor.reviews`), which includes the templates of this app; both write through `reviews.services`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.access import actor_for, site_roles
from accounts.permissions import Actor
from cms import errors
from cms.digits import parse_decimal
from reviews import selectors, services
from reviews.models import Review, ReviewStatus

APPROVE_BUTTON = "_review_approve"
CHANGES_BUTTON = "_review_request_changes"


def may_decide(actor: Actor, review: Review) -> bool:
    """Whether the decision form is offered: an open request, a reviewer, not their own request."""
    return (
        review.status == ReviewStatus.PENDING
        and services.may_review(actor)
        and review.requested_by_id != getattr(actor.user, "pk", None)
    )


def decide_from_post(request, actor: Actor, review: Review) -> str | None:
    """Approve or request changes as the POST says; a message for the user on success, or `CmsError`."""
    comment = request.POST.get("review_comment", "")
    expected = parse_decimal(request.POST.get("review_version", ""))
    if APPROVE_BUTTON in request.POST:
        services.review_approve(actor=actor, review=review, comment=comment, expected_version=expected)
        return "Approved: this state may now be published."
    if CHANGES_BUTTON in request.POST:
        services.review_request_changes(actor=actor, review=review, comment=comment, expected_version=expected)
        return "Changes requested: the submitter sees your comment."
    return None


def target_url(review: Review) -> str | None:
    if review.block_id is not None:
        return reverse("admin:blocks_siteblock_change", args=[review.block_id])
    return None


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """No model form: the list is what waits for me, a review's page is its history and the decision."""

    def has_module_permission(self, request) -> bool:
        return bool(site_roles(request))

    def has_view_permission(self, request, obj=None) -> bool:
        roles = site_roles(request)
        return obj.site_id in roles if obj is not None else bool(roles)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """Reviews waiting for me: open requests I may decide, oldest first (`reviews.selectors.waiting_for`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        waiting = [
            {"review": review, "url": reverse("admin:reviews_review_change", args=[review.pk])}
            for review in selectors.waiting_for(request.user)
        ]
        mine = list(
            Review.objects.filter(
                status=ReviewStatus.PENDING, requested_by_id=request.user.pk, site_id__in=list(site_roles(request))
            )
            .select_related("block", "release")
            .order_by("requested_at", "id")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Reviews waiting for me",
            "waiting": waiting,
            "mine": mine,
        }
        return TemplateResponse(request, "admin/reviews/waiting.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """One review: what it is about, its history, and the decision form for reviewers."""
        review = get_object_or_404(Review.objects.filter(site_id__in=list(site_roles(request))), pk=object_id)
        actor = actor_for(request, review.site)
        here = reverse("admin:reviews_review_change", args=[review.pk])
        if request.method == "POST":
            try:
                done = decide_from_post(request, actor, review)
            except errors.CmsError as exc:
                messages.error(request, exc.message)
                for where, message in (exc.fields or {}).items():
                    messages.error(request, f"{where}: {message}")
            else:
                if done:
                    messages.success(request, done)
            return HttpResponseRedirect(here)
        review = selectors.review_for_actor(actor, str(review.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review {review.pk}: {review.block or review.release}",
            "review": review,
            "history": [review],
            "target_url": target_url(review),
            "can_decide": may_decide(actor, review),
            "approve_button": APPROVE_BUTTON,
            "changes_button": CHANGES_BUTTON,
        }
        return TemplateResponse(request, "admin/reviews/review.html", context)
