"""Request bodies of the releases API."""

from __future__ import annotations

from typing import Any, cast

from cms import errors
from cms.api.serializers import InputSerializer, TypedBoolean, TypedChoice, TypedString
from releases import services
from releases.models import ItemAction


class ReleaseInput(InputSerializer):
    """A release to create (`name` required) or the keys to change. Needs `context={"creating": bool}`."""

    name = TypedString(required=False, help_text="At most 200 characters.")
    description = TypedString(required=False, help_text="At most 5,000 characters.")

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        try:
            creating = self.context["creating"] and "name" not in unreadable
            services.clean_release_values(cast(services.ReleaseValues, values), creating=creating)
        except errors.ValidationFailed as exc:
            return dict(exc.fields or {})
        return {}


class ReleaseItemInput(InputSerializer):
    slug = TypedString(missing="Required: the block's slug.", help_text="The block's slug.")
    locale = TypedString(required=False, help_text="Which locale copy (default: the site's default locale).")
    action = TypedChoice(
        choices=ItemAction.values,
        required=False,
        message="`publish` or `unpublish`.",
        help_text="`publish` (default): its working copy goes live; `unpublish`: it leaves the live site.",
    )


class ReleasePublishInput(InputSerializer):
    acceptChanges = TypedBoolean(
        source="accept_changes",
        required=False,
        help_text="Publish blocks changed since they were added as they are now (default: refuse them).",
    )
