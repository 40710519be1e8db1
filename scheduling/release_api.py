"""The schedule endpoint of a release: `POST …/releases/{id}/schedule` sets when it goes live, `DELETE` cancels.

The time is read as a block's is (`publishAt` in UTC, or `publishAtLocal` on the site's wall clock; a time in a
DST gap or overlap is refused, naming both readings): `scheduling.services.read_schedule_times`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema

from cms import errors
from cms.api.serializers import InputSerializer, TypedBoolean, TypedString, parse_body
from cms.api.views import allow_params
from releases import selectors
from releases.api.serializers import ReleaseAnswer
from releases.api.views import ReleaseView
from releases.services import require_manage
from scheduling.releases import release_schedule
from scheduling.services import LOCAL_MESSAGE, UTC_MESSAGE, read_schedule_times


class ReleaseScheduleInput(InputSerializer):
    """Needs `context={"site": …}`."""

    publishAt = TypedString(
        source="publish_at", required=False, message=UTC_MESSAGE, help_text="Like `2030-01-05T09:00:00Z`."
    )
    publishAtLocal = TypedString(
        source="publish_at_local", required=False, message=LOCAL_MESSAGE, help_text="Like `2030-01-05T10:00`."
    )
    acceptChanges = TypedBoolean(
        source="accept_changes",
        required=False,
        help_text="At publish time, publish blocks changed since they were added as they are then (default: fail).",
    )

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        times = {key: values[key] for key in ("publish_at", "publish_at_local") if key in values}
        if not times:
            raise errors.ValidationFailed(
                "Give publishAt (UTC) or publishAtLocal (the site's time).",
                fields={"publishAt": "Give a publish time."},
            )
        publish_at = read_schedule_times(self.context["site"], **times)["publish_at"]
        return {"publish_at": publish_at, "accept_changes": bool(values.get("accept_changes"))}


class ReleaseScheduleView(ReleaseView):
    @extend_schema(
        operation_id="releases.schedule",
        request=ReleaseScheduleInput,
        responses={200: OpenApiResponse(ReleaseAnswer, description="The release; `scheduledAt` says when.")},
    )
    def post(self, request, release_id: str):
        """Schedule the release: the worker publishes it then, in one transaction, as you"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        require_manage(self.actor)
        version = self.version_from(release)
        values = parse_body(ReleaseScheduleInput(context={"site": self.actor.site}), request)
        release = release_schedule(actor=self.actor, release=release, expected_version=version, **values)
        return self.answer(release)

    @extend_schema(
        operation_id="releases.unschedule",
        responses={200: OpenApiResponse(ReleaseAnswer, description="The release, with nothing scheduled.")},
    )
    def delete(self, request, release_id: str):
        """Cancel the release's schedule"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        require_manage(self.actor)
        version = self.version_from(release)
        release = release_schedule(actor=self.actor, release=release, publish_at=None, expected_version=version)
        return self.answer(release)
