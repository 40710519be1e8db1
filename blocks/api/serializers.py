"""Output shapes of the management API, and the reading of request bodies.

Output is built by plain functions (no DRF serializer on the hot path): `block_payload` is the block shape of
API.md, camelCase, `path` on pages only, `schema`/`data` left out of lists. Input bodies are read by
`read_body`, which refuses non-objects, unknown keys (typos) and attempts to change immutable fields, each
with its path; the services then check the values.
"""

from __future__ import annotations

from blocks.models import BlockType, SiteBlock
from cms import errors
from cms.api.formats import iso_ms
from schema import compiled_for

# Keys a client may echo back from a block it read; changing them is `immutable_field`.
IMMUTABLE_KEYS = {
    "id",
    "type",
    "locale",
    "slug",
    "version",
    "status",
    "createdAt",
    "updatedAt",
    "publishedAt",
    "hasUnpublishedChanges",
}


def block_payload(block: SiteBlock, *, content: bool = True, data: dict | None = None) -> dict:
    payload = {
        "id": block.pk,
        "name": block.name,
        "slug": block.slug,
        "type": block.type,
        "status": block.status,
        "locale": block.locale,
    }
    if block.type == BlockType.PAGE:
        payload["path"] = block.path
    payload["tags"] = block.tags
    if content:
        payload["schema"] = block.schema
        payload["data"] = block.data if data is None else data
    payload.update(
        {
            "hasUnpublishedChanges": block.has_unpublished_changes,
            "publishedAt": iso_ms(block.published_at),
            "scheduledPublishAt": iso_ms(block.scheduled_publish_at),
            "scheduledUnpublishAt": iso_ms(block.scheduled_unpublish_at),
            "version": block.version,
            "createdAt": iso_ms(block.created_at),
            "updatedAt": iso_ms(block.updated_at),
        }
    )
    return payload


def schedule_failure(block: SiteBlock) -> dict | None:
    """The last failed scheduled publish of `block`, for its answer's `meta.scheduleFailure`.

    Scheduling owns that row (`scheduling.BlockSchedule`, the reverse one-to-one `schedule`); blocks only shows
    it, so it reads it through the relation and imports nothing of scheduling. Read only when the selector
    joined it (`block_for_actor`): write answers keep their query count, and reads show the failure.
    """
    schedule = block._state.fields_cache.get("schedule")
    return schedule.failure_payload() if schedule is not None else None


def block_meta(block: SiteBlock) -> dict:
    meta = {"orphanedFields": compiled_for(block.schema).orphaned_fields(block.data), "version": block.version}
    failure = schedule_failure(block)  # only after a scheduled publish failed
    if failure is not None:
        meta["scheduleFailure"] = failure
    return meta


def read_body(request, *, allowed: set[str], current: SiteBlock | None = None, required: tuple = ()) -> dict:
    """The JSON object body, with only `allowed` keys.

    Immutable keys are accepted when they repeat the block's current value (clients often send back what they
    read) and refused with `immutable_field` when they would change it.
    """
    body = request.data
    if not isinstance(body, dict):
        raise errors.BadRequest("The request body must be a JSON object.")
    immutable: dict[str, str] = {}
    unknown: dict[str, str] = {}
    for key in body:
        if key in allowed:
            continue
        if key in IMMUTABLE_KEYS:
            if current is None or body[key] != block_payload(current, content=False).get(key):
                immutable[key] = "This field cannot be changed."
        else:
            unknown[key] = "Unknown field."
    if immutable:
        raise errors.ImmutableField(
            "These fields cannot be changed: " + ", ".join(sorted(immutable)) + ".", fields=immutable
        )
    missing = {key: "This field is required." for key in required if key not in body}
    if unknown or missing:
        raise errors.ValidationFailed(fields={**unknown, **missing})
    return {key: value for key, value in body.items() if key in allowed}
