"""Writes on releases: create, change, add and remove items, publish in one transaction, roll back.

Who may do what (issue: "editors create and publish; translators may add their locale's copies; owners
everything"): creating, changing, publishing and rolling back need the `publish` action (editors, owners);
adding or removing an item needs `publish`, or, for a copy in a locale other than the site's default, the
`translate` action (translators). Block writes go through the blocks services (the one write path), so every
item's publish is validated, revisioned and announced like any other; the release only decides the order and
holds them in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from accounts.permissions import Action, Actor
from blocks import events as block_events
from blocks import services as block_services
from blocks.models import SiteBlock
from blocks.services.writing import check_publishable
from cms import errors, messages
from releases import events
from releases.models import ItemAction, Release, ReleaseItem, ReleaseStatus

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_ITEMS = 500
NOT_OPEN = "This release was published already: create a new release for further changes."


class ReleaseValues(TypedDict, total=False):
    name: str
    description: str


def require_manage(actor: Actor) -> None:
    actor.require(Action.PUBLISH, "Only editors and owners create, change, publish and roll back releases.")


def clean_release_values(values: ReleaseValues, *, creating: bool) -> None:
    problems: dict[str, str] = {}
    name = values.get("name")
    if (name is None and creating) or (name is not None and not name.strip()):
        problems["name"] = messages.NON_EMPTY_STRING
    elif name is not None and len(name) > MAX_NAME_LENGTH:
        problems["name"] = messages.too_long(MAX_NAME_LENGTH)
    description = values.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        problems["description"] = messages.too_long(MAX_DESCRIPTION_LENGTH)
    if problems:
        raise errors.ValidationFailed(fields=problems)


def release_create(*, actor: Actor, values: ReleaseValues) -> Release:
    require_manage(actor)
    clean_release_values(values, creating=True)
    return Release.objects.create(
        site=actor.site,
        name=values["name"].strip(),
        description=values.get("description", ""),
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )


def _lock(release: Release, expected_version: int | None) -> Release:
    """The release re-read under a row lock; `stale_write` when If-Match named an older version."""
    locked = Release.objects.select_for_update().filter(pk=release.pk).first()
    if locked is None:
        raise errors.NotFound("This release no longer exists.")
    if expected_version is not None and locked.version != expected_version:
        raise errors.StaleWrite("The release changed since you read it (If-Match does not match). Reload and retry.")
    return locked


def _bump(release: Release) -> None:
    release.version += 1
    release.save()


def release_update(*, actor: Actor, release: Release, values: ReleaseValues, expected_version: int | None) -> Release:
    require_manage(actor)
    clean_release_values(values, creating=False)
    with transaction.atomic():
        locked = _lock(release, expected_version)
        name = values.get("name", locked.name).strip()
        description = values.get("description", locked.description)
        if (name, description) == (locked.name, locked.description):
            return locked  # a no-op keeps the ETag
        locked.name, locked.description = name, description
        _bump(locked)
    return locked


def release_delete(*, actor: Actor, release: Release) -> None:
    """An open release may be deleted (its blocks are untouched); a published one is history and stays."""
    require_manage(actor)
    with transaction.atomic():
        locked = _lock(release, None)
        if locked.status == ReleaseStatus.PUBLISHED:
            raise errors.Conflict("A published release is kept as history: roll it back instead.")
        locked.delete()


def _require_item_right(actor: Actor, block: SiteBlock) -> None:
    if actor.can(Action.PUBLISH):
        return
    if actor.can(Action.TRANSLATE) and block.locale != actor.site.default_locale:
        return
    raise errors.Forbidden(
        "Your role adds only copies in the locales you translate to a release."
        if actor.can(Action.TRANSLATE)
        else "Your role or token does not allow adding to releases."
    )


def release_add_item(
    *, actor: Actor, release: Release, block: SiteBlock, action: str, expected_version: int | None
) -> ReleaseItem:
    """Add one locale copy (or add it again: its current version becomes the one reviewed)."""
    _require_item_right(actor, block)
    if action not in ItemAction.values:
        raise errors.ValidationFailed(fields={"action": "`publish` or `unpublish`."})
    if block.site_id != release.site_id:
        raise errors.NotFound("No such block on this release's site.")
    with transaction.atomic():
        locked = _lock(release, expected_version)
        if locked.status != ReleaseStatus.OPEN:
            raise errors.Conflict(NOT_OPEN)
        if locked.items.count() >= MAX_ITEMS and not locked.items.filter(block=block).exists():
            raise errors.Conflict(f"A release holds at most {MAX_ITEMS} items.")
        item, _ = ReleaseItem.objects.update_or_create(
            release=locked,
            block=block,
            defaults={
                "action": action,
                "version_added": block.version,
                "added_by": actor.user if getattr(actor.user, "pk", None) else None,
            },
        )
        _bump(locked)
    return item


def release_remove_item(*, actor: Actor, release: Release, item: ReleaseItem, expected_version: int | None) -> None:
    _require_item_right(actor, item.block)
    with transaction.atomic():
        locked = _lock(release, expected_version)
        if locked.status != ReleaseStatus.OPEN:
            raise errors.Conflict(NOT_OPEN)
        item.delete()
        _bump(locked)


def item_label(index: int) -> str:
    return f"items[{index}]"


def _conflicts(items: list[ReleaseItem]) -> dict[str, str]:
    return {
        item_label(index): (
            f"`{item.block.slug}` ({item.block.locale}) changed after it was added (version {item.version_added}, "
            f"now {item.block.version}): add it again once reviewed, or publish with `acceptChanges: true`."
        )
        for index, item in enumerate(items)
        if item.block.version != item.version_added
    }


def _publish_problems(items: list[ReleaseItem]) -> dict[str, str]:
    """Every field that keeps an item from being published, named `items[i].data.…`, all items at once."""
    problems: dict[str, str] = {}
    for index, item in enumerate(items):
        if item.action != ItemAction.PUBLISH:
            continue
        try:
            check_publishable(item.block)
        except errors.ValidationFailed as exc:
            for path, message in (exc.fields or {}).items():
                problems[f"{item_label(index)}.{path}"] = f"`{item.block.slug}` ({item.block.locale}): {message}"
    return problems


def release_publish(
    *, actor: Actor, release: Release, expected_version: int | None, accept_changes: bool = False
) -> Release:
    """Every item goes live in one transaction, or none does.

    Before anything is written: items whose block changed since it was added are refused as `release_conflict`
    (unless `accept_changes`), and every field that keeps any item from publishing is named at once
    (`items[i].data.…`). The blocks are written in a stable order (by id), so two releases sharing blocks
    cannot deadlock. Each block's revision names the release."""
    require_manage(actor)
    comment = f"Published with release “{release.name}”"
    with transaction.atomic(), block_events.together():
        locked = _lock(release, expected_version)
        if locked.status != ReleaseStatus.OPEN:
            raise errors.Conflict(NOT_OPEN)
        items = list(locked.items.select_related("block", "block__site").order_by("id"))
        if not items:
            raise errors.ValidationFailed("An empty release has nothing to publish.", fields={"items": "Add blocks."})
        blocks = {
            block.pk: block
            for block in SiteBlock.objects.select_for_update(of=("self",))
            .select_related("site")
            .filter(pk__in=[item.block_id for item in items])
            .order_by("pk")
        }
        for item in items:
            item.block = blocks[item.block_id]
        conflicts = {} if accept_changes else _conflicts(items)
        if conflicts:
            raise errors.ReleaseConflict(fields=conflicts)
        problems = _publish_problems(items)
        if problems:
            raise errors.ValidationFailed(
                "The release cannot be published until these fields are fixed.", fields=problems
            )
        events.publishing.fire(actor=actor, release=locked, items=items)
        for item in sorted(items, key=lambda one: one.block_id):
            item.before = block_services.live_state(item.block)
            if item.action == ItemAction.PUBLISH:
                item.block = block_services.block_publish(
                    actor=actor, block=item.block, expected_version=None, comment=comment, via=events.via(locked.pk)
                )
            else:
                item.block = block_services.block_unpublish(
                    actor=actor, block=item.block, expected_version=None, comment=comment
                )
        ReleaseItem.objects.bulk_update(items, ["before"])
        locked.scheduled_at, locked.schedule_failure = None, None
        locked.status = ReleaseStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor.user if getattr(actor.user, "pk", None) else None
        _bump(locked)
        # Inside the transaction: the webhooks' outbox row commits with the release (releases/events.py).
        events.emit("release.published", locked, items, user=actor.user)
    return locked


def release_rollback(*, actor: Actor, release: Release, expected_version: int | None) -> Release:
    """Each block of a published release back to what was live before it, in one transaction: one new revision
    per block that changes (a block already back where it was writes nothing)."""
    require_manage(actor)
    comment = f"Rolled back release “{release.name}”"
    with transaction.atomic(), block_events.together():
        locked = _lock(release, expected_version)
        if locked.status != ReleaseStatus.PUBLISHED:
            raise errors.Conflict("Only a published release can be rolled back.")
        items = list(locked.items.select_related("block", "block__site").order_by("block_id"))
        for item in items:
            item.block = block_services.block_put_live(actor=actor, block=item.block, live=item.before, comment=comment)
        locked.status = ReleaseStatus.ROLLED_BACK
        locked.rolled_back_at = timezone.now()
        _bump(locked)
        events.emit("release.rolled_back", locked, items, user=actor.user)
    return locked


def release_set_schedule(
    *,
    actor: Actor,
    release: Release,
    publish_at: datetime | None,
    accept_changes: bool,
    expected_version: int | None,
) -> Release:
    """When the worker publishes the release (None: not scheduled). Scheduling queues the worker's sweep; the
    sweep publishes as the scheduling user, with `accept_changes` as chosen now."""
    require_manage(actor)
    with transaction.atomic():
        locked = _lock(release, expected_version)
        if locked.status != ReleaseStatus.OPEN:
            raise errors.Conflict(NOT_OPEN)
        if publish_at is None and locked.scheduled_at is None:
            return locked  # nothing to cancel: a no-op keeps the ETag (and a failure on record stays)
        locked.scheduled_at = publish_at
        locked.scheduled_by = actor.user if publish_at and getattr(actor.user, "pk", None) else None
        locked.schedule_accepts_changes = bool(accept_changes) if publish_at else False
        locked.schedule_failure = None
        _bump(locked)
    return locked


def record_schedule_failure(release: Release, exc: errors.CmsError) -> None:
    """A scheduled publish that failed: kept on the release (what and why), and not retried."""
    with transaction.atomic():
        locked = _lock(release, None)
        locked.scheduled_at = None
        locked.schedule_failure = {"code": exc.code, "message": exc.message, "fields": exc.fields or {}}
        _bump(locked)
