"""The schedule endpoint of a block: `POST` sets publish/unpublish times, `DELETE` cancels them.

Times come as UTC instants (`publishAt`) or wall-clock times in the site's zone (`publishAtLocal`);
`ScheduleInput` checks their JSON types and reads them into UTC datetimes (with
`scheduling.services.read_schedule_times`, which the admin's schedule form uses too) and the service gets
`publish_at=`/`unpublish_at=`. The answer is the block,
whose `scheduledPublishAt`/`scheduledUnpublishAt` show the result.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from blocks.api.serializers import IMMUTABLE_KEYS, block_payload
from blocks.api.views.blocks import BlockView, BlockWriteMixin, block_answer, block_response
from cms.api.serializers import InputSerializer, TypedString, parse_body
from cms.api.views import allow_params
from scheduling.services import LOCAL_MESSAGE, UTC_MESSAGE, block_schedule, block_unschedule, read_schedule_times


class ScheduleInput(InputSerializer):
    """UTC instants (`publishAt`) or wall-clock times in the site's time zone (`publishAtLocal`); `null` clears.

    Needs `context={"site": …}`."""

    immutable_keys = IMMUTABLE_KEYS
    publishAt = TypedString(
        source="publish_at",
        required=False,
        allow_null=True,
        message=UTC_MESSAGE,
        help_text="Like `2030-01-05T09:00:00Z`.",
    )
    unpublishAt = TypedString(source="unpublish_at", required=False, allow_null=True, message=UTC_MESSAGE)
    publishAtLocal = TypedString(
        source="publish_at_local",
        required=False,
        allow_null=True,
        message=LOCAL_MESSAGE,
        help_text="Like `2030-01-05T10:00`.",
    )
    unpublishAtLocal = TypedString(source="unpublish_at_local", required=False, allow_null=True, message=LOCAL_MESSAGE)

    def answer_problems(
        self, type_problems: dict[str, str], values: dict[str, Any], unreadable: set[str]
    ) -> dict[str, str]:
        # The service names a pair given twice whatever its values' types, and the problems in its own order:
        # it reads the values that parsed with the others marked unreadable, and raises the whole answer.
        read_schedule_times(self.context["site"], **values, unreadable=unreadable)
        return type_problems  # not reached: an unreadable time is always a problem

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        return read_schedule_times(self.context["site"], **values)


class BlockScheduleView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.schedule",
        request=ScheduleInput,
        responses=block_answer("The block; `scheduledPublishAt`/`scheduledUnpublishAt` show the result."),
    )
    def post(self, request, slug: str) -> Response:
        """Schedule publishing and unpublishing

        UTC instants (`publishAt`) or wall-clock times in the site's time zone (`publishAtLocal`)."""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        serializer = ScheduleInput(context={"site": self.actor.site})
        times = parse_body(serializer, request, current=block_payload(block, content=False))
        block = block_schedule(actor=self.actor, block=block, expected_version=expected, **times)
        return block_response(block)

    @extend_schema(operation_id="site-blocks.unschedule", responses=block_answer("The block, with nothing scheduled."))
    def delete(self, request, slug: str) -> Response:
        """Cancel scheduled publishing and unpublishing"""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(block_unschedule(actor=self.actor, block=block, expected_version=expected))
