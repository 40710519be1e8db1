"""Writing a block as a site bundle describes it (`manage.py import_site`, `POST /api/v1/site/import`).

A bundle carries a block's whole state: meta, schema, working copy, what is live (status and published
snapshot) and its translation fingerprints. No other service sets them all at once: publishing snapshots the
working copy, while a bundle's live version may differ from its working copy (unpublished changes). So this
service sets the columns directly, but on the locked row inside the one write path (`block_write`, or
`insert_block` for a new row): the tail still sanitises, checks asset references, saves, records one revision
and announces the write, and a block that already is as the bundle says is the write path's no-op (no version
bump, no revision, no event), which is what makes an import idempotent.

A bundle's history (`--revisions`) replaces the block's own (`block_history_replace`), so the block's history
in the target is the source's, not "imported" on top of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.permissions import Action, Actor
from blocks import events
from blocks.models import BlockStatus, SiteBlock
from blocks.services.crud import check_new_block
from blocks.services.writing import BlockWrite, block_write
from cms import errors
from cms.jsonsame import same_json
from revisions.recording import PastRevision, replace_block_history
from schema import check_schema, compiled_for, format_path, value_problems

COMMENT = "Imported from a site bundle"
CONFLICT = "Another block of this site and locale has this slug or path."
STATE_FIELDS = ("name", "slug", "type", "path", "tags", "status", "schema", "data")


@dataclass(frozen=True)
class ImportedBlock:
    """One block of a bundle, asset references already mapped to this instance's asset ids."""

    translation_key: uuid.UUID
    locale: str
    slug: str
    name: str
    type: str
    path: str | None
    tags: list[str]
    status: str
    schema: list
    data: dict
    published_snapshot: dict | None
    translation_hashes: dict[str, str]


@dataclass(frozen=True)
class ImportedRevision:
    """One revision of a bundle's history: its number, who and when, its change list and the state it recorded."""

    number: int
    comment: str
    created_at: datetime
    author: Any
    changes: list
    state: dict[str, Any]


def check_imported_block(*, actor: Actor, values: ImportedBlock) -> dict[str, str]:
    """Every problem of `values`, each at its path (`schema[0].type`, `publishedSnapshot.data.title`): the rules
    of a new block (name, slug, path, tags, locale, schema), the working copy at draft level, the live version
    at publish level."""
    _, problems = check_new_block(
        actor=actor,
        name=values.name,
        type=values.type,
        schema=values.schema,
        path=values.path,
        slug=values.slug,
        tags=values.tags,
        locale=values.locale,
    )
    schema_ok = not any(key == "schema" or key.startswith("schema[") for key in problems)
    if schema_ok:
        problems.update(_data_problems(values.schema, values.data, "data", publish=False))
    if values.status not in BlockStatus.values:
        problems["status"] = "Must be `draft` or `published`."
    snapshot = values.published_snapshot
    if values.status == BlockStatus.PUBLISHED:
        if not isinstance(snapshot, dict) or set(snapshot) != {"schema", "data"}:
            problems["publishedSnapshot"] = "A published block needs its snapshot: an object with `schema` and `data`."
        else:
            try:
                live_schema = check_schema(snapshot["schema"])
            except errors.ValidationFailed as exc:
                problems.update({f"publishedSnapshot.{key}": message for key, message in (exc.fields or {}).items()})
            else:
                where = "publishedSnapshot.data"
                problems.update(_data_problems(live_schema, snapshot["data"], where, publish=True))
    elif snapshot is not None:
        problems["publishedSnapshot"] = "A draft block has no published snapshot: null."
    hashes = values.translation_hashes
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        problems["translationHashes"] = "Must be an object of strings."
    return problems


def _data_problems(schema: list, data: Any, where: str, *, publish: bool) -> dict[str, str]:
    if not isinstance(data, dict):
        return {where: "Must be an object."}
    problems: dict[str, str] = {}
    for key, value in data.items():
        problems.update(value_problems(value, format_path(where, (key,))))
    if problems:
        return problems
    found = compiled_for(schema).validate(data, publish=publish)
    return {where + key.removeprefix("data"): message for key, message in found.items()}


def _apply(block: SiteBlock, values: ImportedBlock) -> list[str]:
    """Set the bundle's state on `block`; answers the extra events it makes (published, unpublished)."""
    was_live = block.status == BlockStatus.PUBLISHED and block.published_snapshot is not None
    block.translation_key = values.translation_key
    block.slug, block.name, block.type, block.path = values.slug, values.name.strip(), values.type, values.path
    # A field without an id (a bundle written by hand) gets the id of the field it replaces, as a schema write does
    block.schema = check_schema(values.schema, previous=block.schema)
    block.tags, block.data = list(values.tags), values.data
    block.translation_hashes = dict(values.translation_hashes)
    if values.status == BlockStatus.PUBLISHED:
        if not was_live or not same_json(block.published_snapshot, values.published_snapshot):
            block.status = BlockStatus.PUBLISHED
            block.published_snapshot = values.published_snapshot
            # The version the write gives the row: an insert keeps 1, an update's tail bumps it by one.
            block.published_version = block.version + 1 if block.pk is not None else block.version
            block.published_at = timezone.now()
            block.scheduled_publish_at = None
            return ["block.published"]
        return []
    block.status = BlockStatus.DRAFT
    block.published_snapshot = None
    block.published_version = None
    block.published_at = None
    block.scheduled_unpublish_at = None
    return ["block.unpublished"] if was_live else []


def block_import(*, actor: Actor, block: SiteBlock | None, values: ImportedBlock) -> tuple[SiteBlock, str]:
    """Make `block` (None: a new block of the actor's site) what `values` says; answers the block and
    `created`, `updated` or `unchanged`. Checked first (`validation_failed` naming each field)."""
    actor.require(Action.WRITE)
    if values.status == BlockStatus.PUBLISHED:
        actor.require(Action.PUBLISH)
    problems = check_imported_block(actor=actor, values=values)
    if problems:
        raise errors.ValidationFailed(fields=problems)
    if block is None:
        user = actor.user if getattr(actor.user, "pk", None) else None
        now = timezone.now()
        new = SiteBlock(site=actor.site, locale=values.locale, created_by=user, updated_by=user, created_at=now)
        new.updated_at = now
        extra = _apply(new, values)
        with transaction.atomic(), events.together():
            insert = BlockWrite(
                new, actor=actor, comment=COMMENT, event="block.created", before=None, conflict_message=CONFLICT
            )
            for event in extra:
                insert.emit(event)
            insert.finish(insert=True)
        return new, "created"
    with block_write(
        actor=actor,
        block=block,
        expected_version=None,
        comment=COMMENT,
        event="block.updated",
        conflict_message=CONFLICT,
    ) as write:
        for event in _apply(write.block, values):
            write.emit(event)
    return write.block, "unchanged" if write.cancelled else "updated"


def block_history_replace(*, block: SiteBlock, history: list[ImportedRevision]) -> None:
    """Give `block` the bundle's history in place of its own: each revision recorded with the state the bundle
    says (the block as it is, with that revision's editable fields), its number, comment, date and author.
    Call it inside the import's transaction, after `block_import`."""
    past = []
    for entry in history:
        snapshot = SiteBlock(**{field.attname: getattr(block, field.attname) for field in block._meta.concrete_fields})
        for name in STATE_FIELDS:
            if name in entry.state:
                setattr(snapshot, name, entry.state[name])
        past.append(
            PastRevision(
                snapshot=snapshot,
                number=entry.number,
                comment=entry.comment,
                changes=entry.changes,
                created_at=entry.created_at,
                author=entry.author,
            )
        )
    replace_block_history(block, past)
