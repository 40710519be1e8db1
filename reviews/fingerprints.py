"""The exact state a review covers, as a hash: an approval is valid for that state and no other.

A block's fingerprint is taken over what a publish would put live (`blocks.services.writing.live_snapshot`:
the schema, the data it describes, the template followed), not over its version: bookkeeping writes that
change nothing a reader sees (setting a schedule) keep an approval valid, while any change of content, however
small, needs a new one. A release's fingerprint is taken over its items (which block, which action) and the
fingerprint of each block it publishes, so adding, removing or changing an item needs a new approval too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from blocks.models import SiteBlock
from blocks.services.writing import live_snapshot
from cms import jsonbytes
from releases.models import ItemAction, ReleaseItem


def block_fingerprint(block: SiteBlock) -> str:
    return hashlib.sha256(jsonbytes.dumps(live_snapshot(block), sort_keys=True)).hexdigest()


def release_fingerprint(items: Iterable[ReleaseItem]) -> str:
    """Over the items with their blocks loaded (`item.block`)."""
    parts = sorted(
        [item.block_id, item.action, block_fingerprint(item.block) if item.action == ItemAction.PUBLISH else ""]
        for item in items
    )
    return hashlib.sha256(jsonbytes.dumps(parts)).hexdigest()
