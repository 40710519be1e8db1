"""Pieces every block write shares: locking with the version check, the state a revision compares, touching.

The version check happens on the locked row inside the write's transaction: two writers holding the same
ETag serialise on the row lock (PostgreSQL `SELECT … FOR UPDATE`; SQLite takes its write lock at BEGIN
IMMEDIATE), and the second sees the bumped version and gets `stale_write`.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockStatus, SiteBlock
from cms import errors
from locales.selectors import enabled_locale_codes
from revisions.recording import block_revision

PATH_RE = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")
MAX_PATH_LENGTH = 2048
MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def lock_block(block: SiteBlock, expected_version: int | None) -> SiteBlock:
    """Re-read `block` under a row lock and refuse a stale write. Must run inside `transaction.atomic()`."""
    try:
        locked = SiteBlock.objects.select_for_update().select_related("site").get(pk=block.pk)
    except SiteBlock.DoesNotExist:
        raise errors.NotFound("This block no longer exists.") from None
    if expected_version is not None and locked.version != expected_version:
        raise errors.StaleWrite()
    return locked


def block_state(block: SiteBlock) -> dict:
    """What a revision records and compares: the editable state of a block."""
    return {
        "name": block.name,
        "slug": block.slug,
        "type": block.type,
        "path": block.path,
        "tags": list(block.tags),
        "status": block.status,
        "schema": block.schema,
        "data": block.data,
    }


def touch(block: SiteBlock, actor: Actor) -> None:
    """Every write bumps the version (the ETag) and stamps who and when."""
    block.version += 1
    block.updated_at = timezone.now()
    block.updated_by = actor.user if getattr(actor.user, "pk", None) else None


def rewrite_as_revision(block: SiteBlock, *, actor: Actor, comment: str, event: str, **fields: Any) -> None:
    """Set `fields` on a (locked) block and save it as one revision of its own, with its event.

    For the locale copies a write reaches besides the block it names (a schema replaced or restored across
    the group, shared fields synced): each copy changes visibly, so each gets its history entry and event.
    Callers loop over copies inside `events.together()`, so the group's events are one outbox row."""
    with block_revision(user=actor.user, comment=comment) as recorder:
        before = block_state(block)
        for name, value in fields.items():
            setattr(block, name, value)
        touch(block, actor)
        refresh_unpublished_flag(block)
        block.save()
        recorder.track(block, before=before)
        events.emit(event, block, user=actor.user)


def live_data(schema: list[dict], data: dict) -> dict:
    """The data a publish snapshots: orphaned keys (no longer in the schema) are left out of the live site."""
    names = {field.get("name") for field in schema if field.get("type") != "dataSource"}
    return {key: value for key, value in data.items() if key in names}


def refresh_unpublished_flag(block: SiteBlock) -> None:
    """`hasUnpublishedChanges`: the working copy of a published block differs from what is live."""
    snapshot = block.published_snapshot
    if block.status != BlockStatus.PUBLISHED or snapshot is None:
        block.has_unpublished_changes = False
        return
    block.has_unpublished_changes = snapshot.get("schema") != block.schema or snapshot.get("data") != live_data(
        block.schema, block.data
    )


def require_data_write(actor: Actor, block: SiteBlock) -> None:
    """Editors write any data; translators only the data of copies in a non-default locale."""
    if actor.can(Action.WRITE):
        return
    if block.locale != block.site.default_locale and actor.can(Action.TRANSLATE):
        return
    actor.require(Action.WRITE)


def check_locale(site: Site, locale: str | None, field: str = "locale") -> str:
    code = locale or site.default_locale
    if code not in enabled_locale_codes(site):
        raise errors.ValidationFailed(fields={field: f"`{code}` is not a locale this site enables."})
    return code


def check_path(path: object, field: str = "path") -> dict[str, str]:
    if not isinstance(path, str):
        return {field: "Must be a string starting with /."}
    if len(path) > MAX_PATH_LENGTH:
        return {field: f"At most {MAX_PATH_LENGTH} characters."}
    if not PATH_RE.match(path):
        return {field: "Must start with / and contain only URL path characters (no spaces, ? or #)."}
    return {}


def clean_tags(tags: object, field: str = "tags") -> tuple[list[str], dict[str, str]]:
    if not isinstance(tags, list):
        return [], {field: "Must be a list of strings."}
    problems: dict[str, str] = {}
    if len(tags) > MAX_TAGS:
        problems[field] = f"At most {MAX_TAGS} tags."
    cleaned: list[str] = []
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG_LENGTH or "," in tag:
            problems[f"{field}[{index}]"] = (
                f"Must be a non-empty string of at most {MAX_TAG_LENGTH} characters, no comma."
            )
        elif tag.strip() not in cleaned:
            cleaned.append(tag.strip())
    return cleaned, problems


def path_taken(site: Site, locale: str, path: str, *, exclude_pk: int | None = None) -> bool:
    found = SiteBlock.objects.filter(site=site, locale=locale, path=path)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()
