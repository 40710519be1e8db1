"""Performing due schedules: publish or unpublish every block whose scheduled time has come.

`perform_due_schedules` takes due blocks one at a time, each in its own transaction, with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises writers), and re-reads the schedule on the
locked row, so two workers never publish the same block twice. Each scheduled publish is a revision authored
by the user who scheduled it. A publish that can no longer succeed (the data stopped validating, the user
lost the right to publish) is recorded on the block's `BlockSchedule` and announced as `block.publish_failed`.

Run by the worker task (`scheduling.tasks`) and by `manage.py run_schedules`. Setting the times is
`scheduling.services`, which queues that task: services -> tasks -> performing, one way.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.permissions import Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services.publishing import block_publish, block_unpublish
from blocks.services.writing import block_write
from cms import errors
from releases.models import Release, ReleaseStatus
from releases.services import record_schedule_failure, release_publish
from scheduling.models import BlockSchedule


def due_blocks(now: datetime):
    return SiteBlock.objects.filter(Q(scheduled_publish_at__lte=now) | Q(scheduled_unpublish_at__lte=now))


def perform_due_schedules(now: datetime | None = None) -> list[tuple[int, str]]:
    """Perform every schedule due at `now`: [(block id, "published" | "unpublished" | "publish_failed")].

    One block per transaction: a failing block does not hold back the others, and locks are short.
    """
    now = now or timezone.now()
    done: list[tuple[int, str]] = []
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            # `pk + 0`, not `pk`: ordered by the bare rowid, SQLite walks the whole table in rowid order instead
            # of using the due-time indexes (it does use them, then sorts the few due rows, for an expression).
            query = due_blocks(now).exclude(pk__in=seen).order_by(F("pk") + 0)
            if connection.features.has_select_for_update_skip_locked:
                query = query.select_for_update(skip_locked=True, of=("self",))
            block = query.select_related("site").first()
            if block is None:
                return done
            seen.add(block.pk)
            done.extend((block.pk, outcome) for outcome in _perform(block, now))


def scheduler_actor(user, site) -> Actor:
    """The scheduling user with their role on the site *now*: a user who lost the right to publish fails."""
    if user is None:
        return Actor(user=None, site=site, role=None)
    if user.is_superuser:
        return Actor(user=user, site=site, role=Role.OWNER)
    role = Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()
    return Actor(user=user, site=site, role=role)


def _perform(block: SiteBlock, now: datetime) -> list[str]:
    outcomes: list[str] = []
    schedule = BlockSchedule.objects.select_related("publish_by", "unpublish_by").filter(block=block).first()
    if block.scheduled_publish_at is not None and block.scheduled_publish_at <= now:
        user = schedule.publish_by if schedule else None
        try:
            with transaction.atomic():
                block = block_publish(
                    actor=scheduler_actor(user, block.site),
                    block=block,
                    expected_version=None,
                    comment="Scheduled publish",
                )
            outcomes.append("published")
        except (errors.ValidationFailed, errors.Forbidden, errors.ReviewRequired) as exc:
            _record_failure(block, schedule, exc, user, now)
            outcomes.append("publish_failed")
            block.refresh_from_db()
    if block.scheduled_unpublish_at is not None and block.scheduled_unpublish_at <= now:
        user = schedule.unpublish_by if schedule else None
        if block.status == BlockStatus.PUBLISHED:
            try:
                with transaction.atomic():
                    block_unpublish(
                        actor=scheduler_actor(user, block.site),
                        block=block,
                        expected_version=None,
                        comment="Scheduled unpublish",
                    )
                outcomes.append("unpublished")
            except errors.Forbidden as exc:
                _record_failure(block, schedule, exc, user, now)
                outcomes.append("unpublish_failed")
        _clear_due_unpublish(block, user)
    return outcomes


def _clear_due_unpublish(block: SiteBlock, user) -> None:
    """A due unpublish is done (or cannot be): its time is cleared, so it is not performed again."""
    actor = Actor(user=user, site=block.site, role=None)
    with block_write(
        actor=actor,
        block=block,
        expected_version=None,
        comment="Scheduled unpublish",
        event=None,
        revision=False,
        author=False,
    ) as write:
        if write.block.scheduled_unpublish_at is None:
            write.cancel()
            return
        write.block.scheduled_unpublish_at = None


def _record_failure(block: SiteBlock, schedule: BlockSchedule | None, exc: errors.CmsError, user, now) -> None:
    """Clear the due time (it must not be retried forever), keep why on the block, announce it."""
    if isinstance(exc, errors.Forbidden):
        message = "The user who scheduled this may no longer publish on this site."
    else:
        message = exc.message
    with block_write(
        actor=Actor(user=user, site=block.site, role=None),
        block=block,
        expected_version=None,
        comment="Scheduled publish failed",
        event="block.publish_failed",
        extra={"message": message, "fields": exc.fields or {}},
        revision=False,  # nothing changed but the due time: the history lists content changes
        author=False,
    ) as write:
        write.block.scheduled_publish_at = None
        if schedule is None:
            schedule = BlockSchedule(block=write.block)
        schedule.failed_at, schedule.failure_message, schedule.failure_fields = now, message, exc.fields or {}
        schedule.updated_at = now
        schedule.save()
    block.refresh_from_db()


# -- releases ------------------------------------------------------------------------------------------------
def due_releases(now: datetime):
    return Release.objects.filter(status=ReleaseStatus.OPEN, scheduled_at__lte=now)


def perform_due_releases(now: datetime | None = None) -> list[tuple[int, str]]:
    """Publish every release due at `now`: [(release id, "published" | "publish_failed")]. One release per
    transaction; on PostgreSQL a release another worker holds is skipped (`SKIP LOCKED`), not waited for."""
    now = now or timezone.now()
    done: list[tuple[int, str]] = []
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            due = due_releases(now).exclude(pk__in=seen).order_by("scheduled_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            release = due.select_related("site", "scheduled_by").first()
            if release is None:
                return done
            seen.add(release.pk)
            actor = scheduler_actor(release.scheduled_by, release.site)
            try:
                with transaction.atomic():
                    release_publish(
                        actor=actor,
                        release=release,
                        expected_version=None,
                        accept_changes=release.schedule_accepts_changes,
                    )
            except errors.CmsError as exc:
                if isinstance(exc, errors.Forbidden):
                    exc = errors.Forbidden("The user who scheduled this release may no longer publish on this site.")
                record_schedule_failure(release, exc)
                done.append((release.pk, "publish_failed"))
            else:
                done.append((release.pk, "published"))
