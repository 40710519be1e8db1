"""Views of the reviews API: submit a block or a release, list and read reviews, approve, request changes.

Decisions honour `If-Match` with the review's ETag (`"review-<id>-<version>"`); a submission honours it with
the block's or the release's own ETag, so what is submitted is the state the submitter saw.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks.selectors import block_for_actor
from cms import errors
from cms.api.openapi import PageQuery
from cms.api.pagination import PageMetaPagination
from cms.api.preconditions import expected_version
from cms.api.serializers import parse_body
from cms.api.views import allow_params, flag_param
from releases.selectors import release_for_actor
from reviews import selectors, services
from reviews.api.inputs import ReviewCommentInput
from reviews.api.serializers import ReviewAnswer, ReviewHistory, ReviewList, etag, review_payload
from reviews.models import Review, ReviewStatus

STATUS_QUERY = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=ReviewStatus.values, description="Only reviews in this status."
)
WAITING_QUERY = OpenApiParameter(
    "waitingForMe",
    OpenApiTypes.BOOL,
    description="Only open requests the caller may decide (not their own), oldest first.",
)


def answer(review: Review, status: int = 200) -> Response:
    return Response({"data": review_payload(review)}, status=status, headers={"ETag": etag(review)})


def comment_of(request) -> str | None:
    return parse_body(ReviewCommentInput(), request).get("comment")


class ReviewView(SiteAPIView):
    openapi_tag = "reviews"


class ReviewCollectionView(ReviewView):
    @extend_schema(
        operation_id="reviews.list",
        parameters=[PageQuery, STATUS_QUERY, WAITING_QUERY],
        responses={200: OpenApiResponse(ReviewList, description="A page of reviews, newest first.")},
    )
    def get(self, request):
        """The site's review requests, newest first (`waitingForMe`: what waits for my review, oldest first)"""
        allow_params(request, {"page", "perPage", "status", "waitingForMe"})
        status = request.query_params.get("status")
        if status is not None and status not in ReviewStatus.values:
            raise errors.BadRequest(
                f"Unknown status `{status}`.", fields={"status": "One of " + ", ".join(ReviewStatus.values) + "."}
            )
        rows = selectors.reviews_for_actor(
            self.actor, status=status, waiting_for_me=flag_param(request, "waitingForMe")
        )
        pagination = PageMetaPagination(request)
        page, meta = pagination.paginate(rows)
        return pagination.response([review_payload(review) for review in page], meta)


class ReviewDetailView(ReviewView):
    @extend_schema(
        operation_id="reviews.get", responses={200: OpenApiResponse(ReviewAnswer, description="The review.")}
    )
    def get(self, request, review_id: str):
        """One review with its comments"""
        allow_params(request)
        return answer(selectors.review_for_actor(self.actor, review_id))


class ReviewDecisionView(ReviewView):
    honours_if_match = True
    decide = staticmethod(services.review_approve)

    def post(self, request, review_id: str):
        allow_params(request)
        review = selectors.review_for_actor(self.actor, review_id)
        services.require_review(self.actor)
        version = expected_version(request, current_etag=etag(review), current_version=review.version)
        review = self.decide(actor=self.actor, review=review, comment=comment_of(request), expected_version=version)
        return answer(selectors.review_for_actor(self.actor, str(review.pk)))


class ReviewApproveView(ReviewDecisionView):
    decide = staticmethod(services.review_approve)

    @extend_schema(
        operation_id="reviews.approve",
        request=ReviewCommentInput,
        responses={200: OpenApiResponse(ReviewAnswer, description="Approved: exactly this state may be published.")},
    )
    def post(self, request, review_id: str):
        """Approve the submitted state (owners and reviewers; not your own request)"""
        return super().post(request, review_id)


class ReviewRequestChangesView(ReviewDecisionView):
    decide = staticmethod(services.review_request_changes)

    @extend_schema(
        operation_id="reviews.request_changes",
        request=ReviewCommentInput,
        responses={200: OpenApiResponse(ReviewAnswer, description="Sent back with the changes asked for.")},
    )
    def post(self, request, review_id: str):
        """Request changes, saying which in `comment` (owners and reviewers; not your own request)"""
        return super().post(request, review_id)


class BlockReviewsView(ReviewView):
    locale_addressed = True
    honours_if_match = True

    @extend_schema(
        operation_id="site-blocks.reviews.list",
        responses={200: OpenApiResponse(ReviewHistory, description="The block's reviews, newest first.")},
    )
    def get(self, request, slug: str):
        """A block's review history (this locale copy), newest first"""
        allow_params(request)
        block = block_for_actor(self.actor, slug, request.query_params.get("locale"))
        rows = selectors.reviews_of_block(block)
        return Response({"data": [review_payload(review) for review in rows]})

    @extend_schema(
        operation_id="site-blocks.reviews.submit",
        request=ReviewCommentInput,
        responses={201: OpenApiResponse(ReviewAnswer, description="The review request, waiting for a reviewer.")},
    )
    def post(self, request, slug: str):
        """Submit a block's locale copy for review ("Ready for review"), with a comment"""
        allow_params(request)
        block = block_for_actor(self.actor, slug, request.query_params.get("locale"))
        services.require_submit_block(self.actor, block)
        version = expected_version(request, current_etag=block.etag, current_version=block.version)
        review = services.review_submit_block(
            actor=self.actor, block=block, comment=comment_of(request), expected_version=version
        )
        return answer(selectors.review_for_actor(self.actor, str(review.pk)), status=201)


class ReleaseReviewsView(ReviewView):
    honours_if_match = True

    @extend_schema(
        operation_id="releases.reviews.list",
        responses={200: OpenApiResponse(ReviewHistory, description="The release's reviews, newest first.")},
    )
    def get(self, request, release_id: str):
        """A release's review history, newest first"""
        allow_params(request)
        release = release_for_actor(self.actor, release_id)
        return Response({"data": [review_payload(review) for review in selectors.reviews_of_release(release)]})

    @extend_schema(
        operation_id="releases.reviews.submit",
        request=ReviewCommentInput,
        responses={201: OpenApiResponse(ReviewAnswer, description="The review request, waiting for a reviewer.")},
    )
    def post(self, request, release_id: str):
        """Submit a release for review (its items and their blocks as they are now), with a comment"""
        allow_params(request)
        release = release_for_actor(self.actor, release_id)
        version = expected_version(
            request, current_etag=f'"{release.pk}-{release.version}"', current_version=release.version
        )
        review = services.review_submit_release(
            actor=self.actor, release=release, comment=comment_of(request), expected_version=version
        )
        return answer(selectors.review_for_actor(self.actor, str(review.pk)), status=201)
