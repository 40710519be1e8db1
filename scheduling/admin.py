"""Schedules in the admin: a "Schedule" section on the block form and a page to set or cancel the times.

`BlockScheduleMixin` is added to `editor.admin.BlockAdmin`'s bases (as the history mixin is), whose
`get_fieldsets` shows `schedule_summary`; the change form links to the page. The page takes
wall-clock times in the site's time zone (what editors think in) and goes through
`scheduling.services`, so the checks are the API's: future times, DST gaps and overlaps refused,
the block must publish now, the version the editor saw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.access import actor_for
from accounts.permissions import Action
from blocks.models import SiteBlock
from cms import errors
from cms.digits import parse_decimal
from scheduling.models import BlockSchedule
from scheduling.services import block_schedule, block_unschedule, read_schedule_times, site_zone


def _local(value, zone) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""


if TYPE_CHECKING:
    # What type checkers see as the base: the ModelAdmin of `SiteBlock` this mixin is mixed into. At run time
    # it adds no base class.
    _BlockAdmin = admin.ModelAdmin[SiteBlock]
else:
    _BlockAdmin = object


#: the API's names of the schedule's fields, as this page labels them
FIELD_LABELS = {
    "publishAt": "Publish at",
    "unpublishAt": "Unpublish at",
    "publishAtLocal": "Publish at",
    "unpublishAtLocal": "Unpublish at",
}


class BlockScheduleMixin(_BlockAdmin):
    """The schedule page, and `schedule_summary`: the read-only field of the block form's "Schedule" section.

    For a ModelAdmin of `SiteBlock` whose `get_queryset` scopes blocks to the user's sites.
    """

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="{}_{}_schedule".format(*info),
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _schedule_of(block: SiteBlock) -> BlockSchedule | None:
        return BlockSchedule.objects.select_related("publish_by", "unpublish_by").filter(block=block).first()

    @admin.display(description="schedule")
    def schedule_summary(self, block: SiteBlock) -> str:
        zone = site_zone(block.site)
        schedule = self._schedule_of(block)
        parts = []
        for label, when, who in (
            ("Publish", block.scheduled_publish_at, schedule and schedule.publish_by),
            ("Unpublish", block.scheduled_unpublish_at, schedule and schedule.unpublish_by),
        ):
            if when:
                parts.append(format_html("{} at {} ({}), by {}", label, _local(when, zone), zone.key, who or "?"))
        if schedule is not None and schedule.failed_at:
            parts.append(format_html("Last scheduled publish FAILED: {}", schedule.failure_message))
        link = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_schedule", args=[block.pk])
        text = format_html("; ".join(["{}"] * len(parts)), *parts) if parts else "Nothing scheduled."
        return format_html('{} <a href="{}" id="cms-schedule-link">Change the schedule</a>', text, link)

    def schedule_view(self, request, pk: int):
        block = get_object_or_404(self.get_queryset(request), pk=pk)
        actor = actor_for(request, block.site)
        if not actor.can(Action.PUBLISH):
            raise PermissionDenied
        zone = site_zone(block.site)
        problems: dict[str, str] = {}
        if request.method == "POST":
            version = request.POST.get("version")
            expected = parse_decimal(version)
            try:
                if "cancel" in request.POST:
                    block_unschedule(actor=actor, block=block, expected_version=expected)
                    messages.success(request, "The schedule was cancelled.")
                else:
                    times = read_schedule_times(
                        block.site,
                        publish_at_local=request.POST.get("publish_at") or None,
                        unpublish_at_local=request.POST.get("unpublish_at") or None,
                    )
                    unchanged = {
                        "publish_at": block.scheduled_publish_at,
                        "unpublish_at": block.scheduled_unpublish_at,
                    }
                    block_schedule(
                        actor=actor,
                        block=block,
                        expected_version=expected,
                        **{name: value for name, value in times.items() if value != unchanged[name]},
                    )
                    messages.success(request, "The schedule was saved.")
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[block.pk])
                )
            except errors.CmsError as exc:
                # Named as the page names its fields, not by the API's `publishAt` / `unpublishAt`.
                problems = {FIELD_LABELS.get(key, key): text for key, text in (exc.fields or {"": exc.message}).items()}
                messages.error(request, exc.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Schedule: {block.name} ({block.locale})",
            "cms_block": block,
            "zone": zone.key,
            "publish_at": request.POST.get("publish_at") if problems else _local(block.scheduled_publish_at, zone),
            "unpublish_at": request.POST.get("unpublish_at")
            if problems
            else _local(block.scheduled_unpublish_at, zone),
            "problems": problems,
            "schedule": self._schedule_of(block),
        }
        return TemplateResponse(request, "admin/scheduling/schedule.html", context)
