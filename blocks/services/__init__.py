"""Every write to a block, as one service function each (keyword-only, typed, `block_<action>`).

Each service checks the actor's powers and writes through the one write path (`blocks.services.writing`): one
transaction with the row locked and the version checked (`expected_version` from `If-Match`), one revision per
block it changes, and the change announced with `blocks.events` (see `wiring.connect` for who hears it). Views,
the admin and the commands call these and nothing lower.
"""

from blocks.services.content import block_replace_schema, block_update_data
from blocks.services.crud import BlockMeta, block_create, block_delete, block_update_meta, check_new_block
from blocks.services.editing import block_edit
from blocks.services.publishing import block_publish, block_put_live, block_unpublish, live_state
from blocks.services.restore import block_restore
from blocks.services.translation import (
    block_copy_to_locale,
    block_keep_translations,
    block_sync_shared_fields,
    check_copy,
    site_copy_to_locale,
)

__all__ = [
    "BlockMeta",
    "block_copy_to_locale",
    "block_create",
    "block_delete",
    "block_edit",
    "block_keep_translations",
    "block_publish",
    "block_put_live",
    "block_replace_schema",
    "block_restore",
    "block_sync_shared_fields",
    "block_unpublish",
    "block_update_data",
    "block_update_meta",
    "check_copy",
    "check_new_block",
    "live_state",
    "site_copy_to_locale",
]
