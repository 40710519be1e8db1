"""Saving the editor's block form: name, tags, path, schema and data together, as ONE write.

The admin's form may change any of these at once. Saved through one service call, the save is one
revision, one version bump and one outbox row (the locale copies a schema change reaches get their own
revision each, as with `block_replace_schema`), instead of one of each per part.

The rule for data of redefined fields lives here, not in the form: when the same save changes a field's
definition (its type, options or nesting), the data the form posted for that field was edited against the
old definition, so it is dropped rather than validated against the new one; the stored value follows its
field (moved, converted or orphaned: `blocks.services.schema_change`) exactly as a schema change through the
API carries it.
"""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from blocks.services.common import require_data_write
from blocks.services.crud import BlockMeta, apply_meta, check_meta
from blocks.services.schema_change import plan
from blocks.services.templates import SCHEMA_FIELD, following_message
from blocks.services.translation import after_data_write
from blocks.services.writing import block_write, is_live_as_is, locked_copies
from cms import errors
from schema import check_schema, compiled_for
from schema.identity import with_ids

META_COMMENT = "Updated name, tags or path"
SCHEMA_COMMENT = "Replaced the schema"
DATA_COMMENT = "Updated data"
PUBLISH_COMMENT = "Published"


def drop_redefined(patch: dict, old_schema: list, new_schema: list) -> dict:
    """The entries of `patch` whose field has the same definition in both schemas."""
    old = {field.get("name"): field for field in old_schema if isinstance(field, dict)}
    new = {field.get("name"): field for field in new_schema if isinstance(field, dict)}
    return {key: value for key, value in patch.items() if old.get(key) == new.get(key)}


def block_edit(
    *,
    actor: Actor,
    block: SiteBlock,
    expected_version: int | None,
    meta: BlockMeta | None = None,
    schema: list | None = None,
    data: dict | None = None,
    publish: bool = False,
) -> SiteBlock:
    """Apply `meta` (`name`/`tags`/`path`), a new `schema` and a `data` patch to `block` in one write, and with
    `publish` publish the result in that same write (the editor's Publish button publishes what is in the form:
    one revision, one version bump; when the result cannot be published nothing is saved either).

    Every problem is reported at once, each with its field (`name`, `schema[2].options`, `data.links[1].url`).
    Nothing given, or nothing different (and, with `publish`, already live as it is): no write (the version
    check still applies).
    """
    meta = meta or {}
    schema_changed = schema is not None and schema != block.schema
    if schema_changed:
        actor.require(Action.WRITE)
    if meta:
        require_data_write(actor, block)  # a copy's name, path and tags are its translator's too
    if publish:
        actor.require(Action.PUBLISH)
    if data:
        require_data_write(actor, block)
    problems = check_meta(block, meta)
    checked_schema = block.schema
    if schema_changed:
        try:
            # Fields the form sent without ids keep theirs (matched by name): `schema.identity`.
            checked_schema = check_schema(schema, previous=with_ids(block.schema or []))
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
        else:
            compiled_for(checked_schema)  # compile before taking locks, as a schema write does
            schema_changed = checked_schema != block.schema
            if schema_changed and block.template_id is not None:
                problems[SCHEMA_FIELD] = following_message(block)
    patch = drop_redefined(data or {}, block.schema, checked_schema) if schema_changed else dict(data or {})
    if patch and not any(key == "schema" or key.startswith("schema[") for key in problems):
        try:  # checked now too, so one save reports the data's problems beside the name's and the schema's
            compiled_for(checked_schema).apply_patch(block.data, patch)
        except errors.ValidationFailed as exc:
            problems.update(exc.fields or {})
    if problems:
        raise errors.ValidationFailed(fields=problems)
    parts = [
        comment
        for comment, done in ((META_COMMENT, meta), (SCHEMA_COMMENT, schema_changed), (DATA_COMMENT, patch))
        if done
    ]
    with block_write(
        actor=actor,
        block=block,
        expected_version=expected_version,
        comment="; ".join([*parts, PUBLISH_COMMENT] if publish else parts) or DATA_COMMENT,
        # What the API's separate writes would announce, in one batch (one outbox row): a webhook that
        # listens for `block.updated` hears content changes whichever page they were made on.
        event="block.updated" if meta or patch else None,
        conflict_message="The path was taken by a concurrent write; retry." if "path" in meta else None,
    ) as write:
        target = write.block
        if not parts and not (publish and not is_live_as_is(target)):
            write.cancel()
            return target
        if publish:
            write.publish()  # validated in full by the tail, after the changes below are applied
        apply_meta(target, meta)
        copies: list[SiteBlock] = []
        if schema_changed:
            # The values follow their fields, in this copy and the others, as through the API.
            copies = locked_copies(target)
            change = plan(
                [target, *copies],
                checked_schema,
                old_schema=with_ids(target.schema or []),
                default_locale=target.site.default_locale,
            )
            change.apply(target)
            write.emit("block.schema_updated")
        if patch:
            before = target.data
            target.data = compiled_for(target.schema).apply_patch(target.data, patch)
            after_data_write(target, before=before)
        write.finish()  # the block first, then its copies' schemas: one outbox row for all of them
        if schema_changed:
            change.write_copies(copies, actor=actor, comment=SCHEMA_COMMENT)
    return write.block
