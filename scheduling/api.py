"""The schedule endpoint of a block: `POST` sets publish/unpublish times, `DELETE` cancels them.

Times come as UTC instants (`publishAt`) or wall-clock times in the site's zone (`publishAtLocal`); the
service reads and checks them. The answer is the block, whose `scheduledPublishAt`/`scheduledUnpublishAt`
show the result.
"""

from __future__ import annotations

from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks.api.openapi import document
from blocks.api.serializers import read_body
from blocks.api.views.blocks import BlockWriteMixin, block_response
from cms.api.views import allow_params
from scheduling.services import SCHEDULE_KEYS, block_schedule, block_unschedule, read_schedule_times


class BlockScheduleView(BlockWriteMixin, SiteAPIView):
    @document("schedule")
    def post(self, request, slug: str) -> Response:
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = read_body(request, allowed=set(SCHEDULE_KEYS), current=block)
        times = read_schedule_times(self.actor.site, body)
        block = block_schedule(
            actor=self.actor,
            block=block,
            expected_version=expected,
            **{f"{kind}_at": value for kind, value in times.items()},
        )
        return block_response(block)

    @document("unschedule")
    def delete(self, request, slug: str) -> Response:
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(block_unschedule(actor=self.actor, block=block, expected_version=expected))
