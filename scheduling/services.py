"""Scheduled publishing: setting and cancelling a block's publish/unpublish times.

Times are stored in UTC on the block. Clients give them in UTC (`publishAt`) or as a wall-clock time in the
site's time zone (`publishAtLocal`); a wall-clock time that does not exist (spring forward) or happens twice
(fall back) is refused with an error saying why, rather than guessed.

Setting a time queues the worker's sweep (`scheduling.tasks`) for that moment, in the same transaction;
performing what is due is `scheduling.performing`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import TypeAlias, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services.writing import block_write
from cms import errors
from cms.sentinels import UNSET, Unset
from scheduling.models import BlockSchedule
from scheduling.tasks import enqueue_sweep_at
from schema import compiled_for

LOCAL_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


# ---- reading times -------------------------------------------------------------------------------------------


UTC_MESSAGE = "Must be an ISO 8601 date-time such as 2030-01-05T09:00:00Z."
#: A time whose offset (or the site's zone) puts its UTC instant before year 1 or after year 9999: Python's
#: datetime cannot hold it, so it is refused like any other unreadable time, with its field.
OUT_OF_RANGE_MESSAGE = "Out of range: in UTC this time falls before 0001-01-01 or after 9999-12-31."
LOCAL_MESSAGE = "Must be a local time `YYYY-MM-DDTHH:mm`, e.g. 2030-01-05T09:00."


def parse_utc(value: str, field: str) -> datetime:
    """An ISO 8601 instant with `Z` or an offset; a time without one is refused (it would be a guess)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise errors.ValidationFailed(fields={field: "Not an ISO 8601 date-time (e.g. 2030-01-05T09:00:00Z)."})
    if parsed.tzinfo is None:
        raise errors.ValidationFailed(
            fields={field: f"Give the time in UTC with `Z` or an offset, or use `{field}Local` for the site's time."}
        )
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "9999-12-31T23:59:59-14:00" is in year 10000 in UTC
        raise errors.ValidationFailed(fields={field: OUT_OF_RANGE_MESSAGE}) from None


def site_zone(site: Site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_local(value: str, field: str, zone: ZoneInfo) -> datetime:
    """`YYYY-MM-DDTHH:mm` on the wall clock of `zone`, as a UTC instant; gaps and overlaps are refused."""
    if not LOCAL_RE.match(value):
        raise errors.ValidationFailed(fields={field: LOCAL_MESSAGE})
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise errors.ValidationFailed(fields={field: f"`{value}` is not a valid date and time."})
    return local_to_utc(naive, zone, field)


def local_to_utc(naive: datetime, zone: ZoneInfo, field: str) -> datetime:
    try:
        return _local_to_utc(naive, zone, field)
    except OverflowError:  # "0001-01-01T00:00" in a zone east of UTC is in year 0 in UTC
        raise errors.ValidationFailed(fields={field: OUT_OF_RANGE_MESSAGE}) from None


def _local_to_utc(naive: datetime, zone: ZoneInfo, field: str) -> datetime:
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


# A time a caller gives: a string to read, None to clear, UNSET to keep.
GivenTime: TypeAlias = str | Unset | None


def read_schedule_times(
    site: Site,
    *,
    publish_at: GivenTime = UNSET,
    unpublish_at: GivenTime = UNSET,
    publish_at_local: GivenTime = UNSET,
    unpublish_at_local: GivenTime = UNSET,
    unreadable: Collection[str] = (),
) -> dict[str, datetime | None]:
    """The times a schedule sets, as UTC instants: `{"publish_at": …, "unpublish_at": …}`; None clears, a time
    left out keeps. `*_at` are UTC instants, `*_at_local` wall-clock times in the site's zone, one of each pair.

    Problems are named by the API's keys (`publishAtLocal`), which the messages quote too. `unreadable` names the
    arguments a client sent with a value of another type (the API's input serializer could not read them): they
    count as given, and are named with their type problem, so one answer still names every problem in order.
    """
    zone = site_zone(site)
    given = {
        "publish_at": publish_at,
        "unpublish_at": unpublish_at,
        "publish_at_local": publish_at_local,
        "unpublish_at_local": unpublish_at_local,
    }
    times: dict[str, datetime | None] = {}
    problems: dict[str, str] = {}
    for kind in ("publish", "unpublish"):
        utc_key, local_key = f"{kind}At", f"{kind}AtLocal"
        sent = [name for name in (f"{kind}_at", f"{kind}_at_local") if name in unreadable or given[name] is not UNSET]
        if len(sent) == 2:
            problems[local_key] = f"Give `{utc_key}` or `{local_key}`, not both."
            continue
        if not sent:
            continue
        name = sent[0]
        local = name.endswith("_local")
        key = local_key if local else utc_key
        value = given[name]
        if name in unreadable:
            problems[key] = LOCAL_MESSAGE if local else UTC_MESSAGE
            continue
        if value is None:
            times[f"{kind}_at"] = None
            continue
        text = cast(str, value)  # given, readable and not None
        try:
            times[f"{kind}_at"] = parse_local(text, key, zone) if local else parse_utc(text, key)
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
    publish_at: datetime | Unset | None = UNSET,
    unpublish_at: datetime | Unset | None = UNSET,
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
    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment="Scheduled",
        event="block.updated",  # the version moved, and a published block now stops being live at a new time
        revision=False,  # a schedule is not content: the block's history lists content changes
    ) as write:
        block = write.block
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
        block.scheduled_publish_at = new_publish
        block.scheduled_unpublish_at = new_unpublish
        write.finish()
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
        # Enqueued in the same transaction: with the database queue the task exists iff the schedule does.
        for when in {value for value in (publish_at, unpublish_at) if isinstance(value, datetime)}:
            enqueue_sweep_at(when)
    return block


def block_unschedule(*, actor: Actor, block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """Cancel both scheduled times. Queued sweeps stay queued and find nothing due."""
    actor.require(Action.PUBLISH)
    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment="Unscheduled",
        event="block.updated",
        revision=False,
    ) as write:
        write.block.scheduled_publish_at = None
        write.block.scheduled_unpublish_at = None
        write.finish()
        BlockSchedule.objects.filter(block=write.block).update(
            publish_by=None, unpublish_by=None, updated_at=timezone.now()
        )
    return write.block
