"""Output shapes of the reviews API (camelCase, timestamps in UTC with milliseconds)."""

from __future__ import annotations

from rest_framework import serializers

from cms.api.formats import iso_ms
from cms.api.openapi import envelope, page_of
from reviews.models import Review


class ReviewCommentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`requested`, `approved` or `changes_requested`.")
    body = serializers.CharField()
    author = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()


class ReviewTargetSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`block` or `release`.")
    id = serializers.IntegerField()
    slug = serializers.CharField(required=False, help_text="A block: its slug.")
    locale = serializers.CharField(required=False, help_text="A block: which locale copy.")
    name = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="`pending`, `approved`, `changes_requested` or `superseded`.")
    target = ReviewTargetSerializer()
    targetVersion = serializers.IntegerField(help_text="The block's or release's version when it was submitted.")
    version = serializers.IntegerField(help_text="The review's own version (its ETag): If-Match on decisions.")
    requestedBy = serializers.CharField(allow_null=True)
    requestedAt = serializers.DateTimeField()
    decidedBy = serializers.CharField(allow_null=True)
    decidedAt = serializers.DateTimeField(allow_null=True)
    comments = ReviewCommentSerializer(many=True)


ReviewAnswer = envelope("ReviewAnswer", ReviewSerializer())
ReviewList = page_of("ReviewList", ReviewSerializer)
ReviewHistory = envelope("ReviewHistory", ReviewSerializer(many=True))


def etag(review: Review) -> str:
    return f'"review-{review.pk}-{review.version}"'


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def target_payload(review: Review) -> dict:
    if review.block is not None:
        block = review.block
        return {"kind": "block", "id": block.pk, "slug": block.slug, "locale": block.locale, "name": block.name}
    release = review.release
    assert release is not None, "A review has a block or a release (constraint review_one_target)"
    return {"kind": "release", "id": release.pk, "name": release.name}


def review_payload(review: Review) -> dict:
    return {
        "id": review.pk,
        "status": review.status,
        "target": target_payload(review),
        "targetVersion": review.target_version,
        "version": review.version,
        "requestedBy": _name(review.requested_by),
        "requestedAt": iso_ms(review.requested_at),
        "decidedBy": _name(review.decided_by),
        "decidedAt": iso_ms(review.decided_at),
        "comments": [
            {
                "kind": comment.kind,
                "body": comment.body,
                "author": _name(comment.author),
                "createdAt": iso_ms(comment.created_at),
            }
            for comment in review.comments.all()
        ],
    }
