"""Reads of block revisions: a block's history page, one revision, the full state a revision recorded.

Listing reads only `BlockRevision` rows (change lists were stored when written) and their authors in one
join, so its query count does not depend on how long the history is. A revision's full state is read from
reversion's `Version` JSON directly, not by deserialising into today's model, so snapshots survive model
changes (a field added later is simply absent from old ones).
"""

from __future__ import annotations

import json

from reversion.models import Version

from cms import errors
from revisions.models import BlockRevision

MAX_ID = 2**63

# The fields of the serialized block a revision's full state exposes, with their value when absent.
STATE_FIELDS: dict[str, object] = {
    "name": "",
    "slug": "",
    "type": "",
    "path": None,
    "tags": [],
    "status": "draft",
    "schema": [],
    "data": {},
}


def revisions_for_block(block):
    """Newest first, authors joined."""
    return BlockRevision.objects.for_block(block).select_related("author").newest_first()


def revision_of_block(block, number: int | str) -> BlockRevision:
    """Revision `number` (1, 2, 3… in `block`'s own history, as the list shows it) of `block`; not_found otherwise.

    URLs address revisions by this number, not by the global id: a reader sees `number` in the list and the
    admin's history, and a number means the same revision whichever block it is asked of. Only the block the
    URL names (looked up in the caller's site) is searched, so another block's revisions cannot be reached.
    """
    try:
        wanted = int(str(number))
    except ValueError:
        wanted = None
    if wanted is not None and not 0 < wanted < MAX_ID:
        wanted = None  # SQLite cannot even bind an integer past 64 bits
    query = BlockRevision.objects.select_related("author")
    found = None if wanted is None else query.filter(number=wanted, block=block).first()
    if found is None:
        raise errors.NotFound(f"No revision number `{number}` of this block.")
    return found


def revision_state(block_revision: BlockRevision) -> dict:
    """The block's editable state as that revision recorded it."""
    version = Version.objects.filter(revision_id=block_revision.pk).only("serialized_data", "format").first()
    if version is None or version.format != "json":
        raise errors.ServerError("This revision's snapshot is missing.")
    return _state_of(version.serialized_data)


def histories(block_ids: list[int]) -> dict[int, list[tuple[BlockRevision, dict]]]:
    """The whole history of each of these blocks, oldest first, each revision with its recorded state
    (`revision_state`'s shape), in two queries whatever the number of blocks and revisions (an export)."""
    rows = list(
        BlockRevision.objects.filter(block_id__in=block_ids).select_related("author").order_by("block_id", "number")
    )
    serialized = dict(
        Version.objects.filter(revision_id__in=[row.pk for row in rows], format="json").values_list(
            "revision_id", "serialized_data"
        )
    )
    found: dict[int, list[tuple[BlockRevision, dict]]] = {}
    for row in rows:
        text = serialized.get(row.pk)
        if text is None:
            continue  # a snapshot lost (never written by this code): the history is carried without it
        found.setdefault(row.block_id, []).append((row, _state_of(text)))
    return found


def histories_since(block_id: int, *, limit: int) -> list[dict]:
    """The recorded states of one block's `limit` newest revisions, newest first, in two queries."""
    ids = list(
        BlockRevision.objects.filter(block_id=block_id)
        .order_by("-number")
        .values_list("revision_id", flat=True)[:limit]
    )
    serialized = dict(
        Version.objects.filter(revision_id__in=ids, format="json").values_list("revision_id", "serialized_data")
    )
    return [_state_of(serialized[pk]) for pk in ids if pk in serialized]


def state_at_version(block_id: int, version: int, *, limit: int = 50) -> tuple[dict, BlockRevision] | None:
    """The block's state as it was at `version` (the revision whose write left it at that version), looked for
    among its `limit` newest revisions in two queries; None when it is older than that or unknown. The editor's
    three-way merge reads the version a form was opened at with it."""
    entries = list(BlockRevision.objects.filter(block_id=block_id).order_by("-number")[:limit])
    serialized = dict(
        Version.objects.filter(revision_id__in=[e.pk for e in entries], format="json").values_list(
            "revision_id", "serialized_data"
        )
    )
    for entry in entries:
        text = serialized.get(entry.pk)
        if text is not None and json.loads(text)[0]["fields"].get("version") == version:
            return _state_of(text), entry
    return None


def _state_of(serialized_data: str) -> dict:
    fields = json.loads(serialized_data)[0]["fields"]
    state = {}
    for name, default in STATE_FIELDS.items():
        value = fields.get(name, default)
        if name in ("tags", "schema", "data") and isinstance(value, str):
            value = json.loads(value)  # older Django serialised JSONField values as strings
        state[name] = value
    return state
