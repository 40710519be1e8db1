"""The schedule endpoint of a block: `POST` sets publish/unpublish times, `DELETE` cancels them.

Times come as UTC instants (`publishAt`) or wall-clock times in the site's zone (`publishAtLocal`);
`ScheduleInput` reads them into UTC datetimes (with `scheduling.services.read_schedule_times`, which the
admin's schedule form uses too) and the service gets `publish_at=`/`unpublish_at=`. The answer is the block,
whose `scheduledPublishAt`/`scheduledUnpublishAt` show the result.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from blocks.api.serializers import IMMUTABLE_KEYS, block_payload
from blocks.api.views.blocks import BlockView, BlockWriteMixin, block_answer, block_response
from cms.api.serializers import InputSerializer, SentString, parse_body
from cms.api.views import allow_params
from scheduling.services import block_schedule, block_unschedule, read_schedule_times


class ScheduleInput(InputSerializer):
    """UTC instants (`publishAt`) or wall-clock times in the site's time zone (`publishAtLocal`); `null` clears."""

    immutable_keys = IMMUTABLE_KEYS
    publishAt = SentString(required=False, allow_null=True, help_text="Like `2030-01-05T09:00:00Z`.")
    unpublishAt = SentString(required=False, allow_null=True)
    publishAtLocal = SentString(required=False, allow_null=True, help_text="Like `2030-01-05T10:00`.")
    unpublishAtLocal = SentString(required=False, allow_null=True)

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        times = read_schedule_times(self.context["site"], values)
        return {f"{kind}_at": value for kind, value in times.items()}


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
