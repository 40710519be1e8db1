"""Request bodies of the reviews API."""

from __future__ import annotations

from cms.api.serializers import InputSerializer, TypedString


class ReviewCommentInput(InputSerializer):
    """Submitting, approving: an optional comment. Requesting changes: the service requires one."""

    comment = TypedString(required=False, help_text="At most 5,000 characters. Required to request changes.")
