"""Scheduled publishing: setting and cancelling a block's publish/unpublish times, and performing due ones.

Times are stored in UTC on the block. Clients give them in UTC (`publishAt`) or as a wall-clock time in the
site's time zone (`publishAtLocal`); a wall-clock time that does not exist (spring forward) or happens twice
(fall back) is refused with an error saying why, rather than guessed.

Performing: `perform_due_schedules` takes due blocks one at a time, each in its own transaction, with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises writers), and re-reads the schedule on the
locked row, so two workers never publish the same block twice. Each scheduled publish is a revision authored
by the user who scheduled it. A publish that can no longer succeed (the data stopped validating, the user
lost the right to publish) is recorded on the block's `BlockSchedule` and announced as `block.publish_failed`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import Enum
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Role, Site
from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockStatus, SiteBlock, SiteBlockQuerySet
from blocks.services.common import lock_block, touch
from blocks.services.publishing import block_publish, block_unpublish
from cms import errors
from scheduling.models import BlockSchedule
from schema import compiled_for

LOCAL_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
SCHEDULE_KEYS = ("publishAt", "unpublishAt", "publishAtLocal", "unpublishAtLocal")


class _Unset(Enum):
    """The type of `UNSET`: a time the caller did not give (None is a time cleared)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET


# ---- reading times -------------------------------------------------------------------------------------------


def parse_utc(value: object, field: str) -> datetime:
    """An ISO 8601 instant with `Z` or an offset; a time without one is refused (it would be a guess)."""
    if not isinstance(value, str):
        raise errors.ValidationFailed(fields={field: "Must be an ISO 8601 date-time such as 2030-01-05T09:00:00Z."})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise errors.ValidationFailed(fields={field: "Not an ISO 8601 date-time (e.g. 2030-01-05T09:00:00Z)."})
    if parsed.tzinfo is None:
        raise errors.ValidationFailed(
            fields={field: f"Give the time in UTC with `Z` or an offset, or use `{field}Local` for the site's time."}
        )
    return parsed.astimezone(UTC)


def site_zone(site: Site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_local(value: object, field: str, zone: ZoneInfo) -> datetime:
    """`YYYY-MM-DDTHH:mm` on the wall clock of `zone`, as a UTC instant; gaps and overlaps are refused."""
    if not isinstance(value, str) or not LOCAL_RE.match(value):
        raise errors.ValidationFailed(fields={field: "Must be a local time `YYYY-MM-DDTHH:mm`, e.g. 2030-01-05T09:00."})
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise errors.ValidationFailed(fields={field: f"`{value}` is not a valid date and time."})
    return local_to_utc(naive, zone, field)


def local_to_utc(naive: datetime, zone: ZoneInfo, field: str) -> datetime:
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        shown = naive.strftime("%Y-%m-%dT%H:%M")
        round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise errors.ValidationFailed(
                f"{shown} does not exist in {zone.key}: the clocks jump forward over it.",
                fields={
                    field: f"{shown} does not exist in {zone.key} (the clocks jump forward from "
                    f"UTC{_offset(earlier)} to UTC{_offset(later)}); choose another time."
                },
            )
        first, second = earlier.astimezone(UTC), later.astimezone(UTC)
        raise errors.ValidationFailed(
            f"{shown} happens twice in {zone.key}: the clocks go back over it.",
            fields={
                field: f"{shown} happens twice in {zone.key} (the clocks go back): it is either "
                f"{_z(first)} or {_z(second)}. Give the time in UTC instead to choose."
            },
        )
    return earlier.astimezone(UTC)


def _offset(value: datetime) -> str:
    text = value.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%MZ")


def read_schedule_times(site: Site, body: dict) -> dict[str, datetime | None]:
    """The times a schedule body sets: {"publish": …, "unpublish": …}; `null` clears, an absent key keeps."""
    zone = site_zone(site)
    times: dict[str, datetime | None] = {}
    problems: dict[str, str] = {}
    for kind in ("publish", "unpublish"):
        utc_key, local_key = f"{kind}At", f"{kind}AtLocal"
        if utc_key in body and local_key in body:
            problems[local_key] = f"Give `{utc_key}` or `{local_key}`, not both."
            continue
        key = utc_key if utc_key in body else local_key if local_key in body else None
        if key is None:
            continue
        if body[key] is None:
            times[kind] = None
            continue
        try:
            times[kind] = parse_utc(body[key], key) if key == utc_key else parse_local(body[key], key, zone)
        except errors.ValidationFailed as exc:
            if exc.fields and len(exc.fields) == 1 and exc.message != exc.default_message:
                raise  # a DST error: its message says it all
            problems.update(exc.fields or {})
    if problems:
        raise errors.ValidationFailed(fields=problems)
    if not times:
        raise errors.ValidationFailed(
            "Give at least one of publishAt, unpublishAt, publishAtLocal, unpublishAtLocal.",
            fields={"publishAt": "Give a publish or an unpublish time."},
        )
    return times


# ---- setting and cancelling ----------------------------------------------------------------------------------


def block_schedule(
    *,
    actor: Actor,
    block: SiteBlock,
    expected_version: int | None,
    publish_at: datetime | _Unset | None = UNSET,
    unpublish_at: datetime | _Unset | None = UNSET,
    now: datetime | None = None,
) -> SiteBlock:
    """Set (or clear, with None) the block's scheduled publish and/or unpublish time.

    A publish time is accepted only if the block would publish now (same checks as `publish`), so the
    editor learns of a problem today rather than at 09:00 on launch day.
    """
    actor.require(Action.PUBLISH)
    now = now or timezone.now()
    problems: dict[str, str] = {}
    for key, value in (("publishAt", publish_at), ("unpublishAt", unpublish_at)):
        if isinstance(value, datetime) and value <= now:
            problems[key] = "Must be in the future."
    if problems:
        raise errors.ValidationFailed("Scheduled times must be in the future.", fields=problems)
    with transaction.atomic():
        block = lock_block(block, expected_version)
        new_publish = block.scheduled_publish_at if publish_at is UNSET else publish_at
        new_unpublish = block.scheduled_unpublish_at if unpublish_at is UNSET else unpublish_at
        if isinstance(publish_at, datetime):
            problems = compiled_for(block.schema).validate(block.data, publish=True)
            if problems:
                raise errors.ValidationFailed(
                    "The block could not be published as it stands; fix these fields before scheduling.",
                    fields=problems,
                )
        if new_unpublish is not None and new_publish is not None and new_unpublish <= new_publish:
            raise errors.ValidationFailed(fields={"unpublishAt": "Must be after the scheduled publish time."})
        if isinstance(unpublish_at, datetime) and new_publish is None and block.status != BlockStatus.PUBLISHED:
            raise errors.ValidationFailed(
                fields={"unpublishAt": "The block is not published and no publish is scheduled."}
            )
        touch(block, actor)
        block.scheduled_publish_at = new_publish
        block.scheduled_unpublish_at = new_unpublish
        block.save()
        user = actor.user if getattr(actor.user, "pk", None) else None
        schedule, _ = BlockSchedule.objects.get_or_create(block=block)
        if publish_at is not UNSET:
            schedule.publish_by = user if publish_at is not None else None
        if unpublish_at is not UNSET:
            schedule.unpublish_by = user if unpublish_at is not None else None
        schedule.failed_at, schedule.failure_message, schedule.failure_fields = None, "", None
        schedule.updated_at = now
        schedule.save()
        block.schedule = schedule
        # A write like any other (the version moved): caches of what readers see (delivery) must hear of it,
        # since a published block now stops being live at a new time.
        events.emit("block.updated", block, user=actor.user)
        # Enqueued in the same transaction: with the database queue the task exists iff the schedule does.
        from scheduling.tasks import enqueue_sweep_at

        for when in {value for value in (publish_at, unpublish_at) if isinstance(value, datetime)}:
            enqueue_sweep_at(when)
    return block


def block_unschedule(*, actor: Actor, block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """Cancel both scheduled times. Queued sweeps stay queued and find nothing due."""
    actor.require(Action.PUBLISH)
    with transaction.atomic():
        block = lock_block(block, expected_version)
        touch(block, actor)
        block.scheduled_publish_at = None
        block.scheduled_unpublish_at = None
        block.save()
        BlockSchedule.objects.filter(block=block).update(publish_by=None, unpublish_by=None, updated_at=timezone.now())
        events.emit("block.updated", block, user=actor.user)
    return block


# ---- performing ----------------------------------------------------------------------------------------------


def due_blocks(now: datetime) -> SiteBlockQuerySet:
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


def _scheduler_actor(user: User | None, site: Site) -> Actor:
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
                    actor=_scheduler_actor(user, block.site),
                    block=block,
                    expected_version=None,
                    comment="Scheduled publish",
                )
            outcomes.append("published")
        except (errors.ValidationFailed, errors.Forbidden) as exc:
            _record_failure(block, schedule, exc, user, now)
            outcomes.append("publish_failed")
            block.refresh_from_db()
    if block.scheduled_unpublish_at is not None and block.scheduled_unpublish_at <= now:
        user = schedule.unpublish_by if schedule else None
        if block.status == BlockStatus.PUBLISHED:
            try:
                with transaction.atomic():
                    block_unpublish(
                        actor=_scheduler_actor(user, block.site),
                        block=block,
                        expected_version=None,
                        comment="Scheduled unpublish",
                    )
                outcomes.append("unpublished")
            except errors.Forbidden as exc:
                _record_failure(block, schedule, exc, user, now)
                outcomes.append("unpublish_failed")
        SiteBlock.objects.filter(pk=block.pk, scheduled_unpublish_at__isnull=False).update(
            scheduled_unpublish_at=None, version=F("version") + 1, updated_at=now
        )
    return outcomes


def _record_failure(
    block: SiteBlock, schedule: BlockSchedule | None, exc: errors.CmsError, user: User | None, now: datetime
) -> None:
    """Clear the due time (it must not be retried forever), keep why on the block, announce it."""
    if isinstance(exc, errors.Forbidden):
        message = "The user who scheduled this may no longer publish on this site."
    else:
        message = exc.message
    SiteBlock.objects.filter(pk=block.pk).update(scheduled_publish_at=None, version=F("version") + 1, updated_at=now)
    block.refresh_from_db()
    if schedule is None:
        schedule = BlockSchedule(block=block)
    schedule.failed_at, schedule.failure_message, schedule.failure_fields = now, message, exc.fields or {}
    schedule.updated_at = now
    schedule.save()
    events.emit("block.publish_failed", block, user=user, extra={"message": message, "fields": exc.fields or {}})
