"""A block's Review page in the admin: submit for review with a comment, the state in words, approve or request
changes (owners and reviewers), and the review history.

`BlockReviewMixin` is added to `editor.admin.BlockAdmin`'s bases (as the schedule and history mixins are). The
page writes through `reviews.services` (the API's rules: who submits, who decides, the state bound to what was
reviewed); the decision form and the history are the reviews app's templates, shared with its own review page.
Submitting works on every site: on one without review before publish it is the translators' hand-off ("Ready
for review"), not a gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.access import actor_for
from blocks.models import SiteBlock
from cms import errors
from cms.digits import parse_decimal
from reviews import services
from reviews.admin import APPROVE_BUTTON, CHANGES_BUTTON, decide_from_post, may_decide
from reviews.models import ReviewStatus
from reviews.selectors import block_review_state

SUBMIT_BUTTON = "_review_submit"

if TYPE_CHECKING:
    _BlockAdmin = admin.ModelAdmin[SiteBlock]
else:
    _BlockAdmin = object


class BlockReviewMixin(_BlockAdmin):
    """The `<pk>/review/` page of a block, for a ModelAdmin of `SiteBlock` scoped to the user's sites."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<int:pk>/review/", self.admin_site.admin_view(self.review_view), name="{}_{}_review".format(*info)),
            *super().get_urls(),
        ]

    def review_view(self, request, pk: int):
        block = get_object_or_404(self.get_queryset(request), pk=pk)
        actor = actor_for(request, block.site)
        here = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[block.pk])
        if request.method == "POST":
            try:
                if SUBMIT_BUTTON in request.POST:
                    services.review_submit_block(
                        actor=actor,
                        block=block,
                        comment=request.POST.get("submit_comment", ""),
                        expected_version=parse_decimal(request.POST.get("version", "")),
                    )
                    messages.success(request, "Submitted for review: reviewers see it in “Reviews waiting for me”.")
                else:
                    state = block_review_state(block)
                    if state.latest is None or state.latest.pk != parse_decimal(request.POST.get("review_id", "")):
                        raise errors.Conflict("This review request was replaced meanwhile: reload the page.")
                    done = decide_from_post(request, actor, state.latest)
                    if done:
                        messages.success(request, done)
            except errors.StaleWrite:
                messages.warning(
                    request, "The block changed since you opened it; nothing was submitted. Check it and retry."
                )
            except errors.CmsError as exc:
                messages.error(request, exc.message)
                for where, message in (exc.fields or {}).items():
                    messages.error(request, f"{where}: {message}")
            return HttpResponseRedirect(here)
        state = block_review_state(block)
        latest = state.latest
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            **self._frame(request, block, tab="review"),  # type: ignore[attr-defined]  # editor.admin.BlockAdmin
            "review_state": state,
            # Nothing new to submit while this very state waits for a reviewer, or once it is approved.
            "can_submit": services.may_submit_block(actor, block)
            and not state.approved_now
            and not (
                latest is not None and latest.status == ReviewStatus.PENDING and latest.fingerprint == state.fingerprint
            ),
            "review": latest if latest is not None and latest.status == ReviewStatus.PENDING else None,
            "can_decide": latest is not None and may_decide(actor, latest),
            "history": state.history,
            "submit_button": SUBMIT_BUTTON,
            "approve_button": APPROVE_BUTTON,
            "changes_button": CHANGES_BUTTON,
            "media": self.media,
        }
        context["title"] = f"{block.name} ({block.locale}): Review"
        return TemplateResponse(request, "admin/blocks/siteblock/review.html", context)
