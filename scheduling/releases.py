"""Scheduled releases: set the time a release goes live, and publish the releases that are due.

Setting a time reads it like a block's schedule (`publishAt` in UTC, or `publishAtLocal` on the site's wall
clock, refused in a DST gap or overlap: `scheduling.services`) and queues the worker's sweep for that instant in
the same transaction (`scheduling.tasks`), so the sweep exists iff the schedule does. The sweep
(`scheduling.performing.perform_due_releases`, run with the block schedules) publishes each due release in its
own transaction, through `releases.services.release_publish` (one transaction for all its items), as the user
who scheduled it with their role as it is then. A release that cannot go live (an invalid item, a conflict, a
lost right) keeps why in `scheduleFailure` and is not retried.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.permissions import Actor
from cms import errors
from releases.models import Release
from releases.services import release_set_schedule
from scheduling.tasks import enqueue_sweep_at


def release_schedule(
    *,
    actor: Actor,
    release: Release,
    publish_at: datetime | None,
    accept_changes: bool = False,
    expected_version: int | None,
    now: datetime | None = None,
) -> Release:
    """Schedule the release at `publish_at` (in the future), or cancel its schedule with None."""
    now = now or timezone.now()
    if publish_at is not None and publish_at <= now:
        raise errors.ValidationFailed(
            "Scheduled times must be in the future.", fields={"publishAt": "Must be in the future."}
        )
    with transaction.atomic():
        release = release_set_schedule(
            actor=actor,
            release=release,
            publish_at=publish_at,
            accept_changes=accept_changes,
            expected_version=expected_version,
        )
        if publish_at is not None:
            enqueue_sweep_at(publish_at)
    return release
