"""Every write to a block, as one service function each (keyword-only, typed, `block_<action>`).

Each service checks the actor's powers, runs in one transaction with the row locked and the version checked
(`expected_version` from `If-Match`), records one revision per block it changes, and announces the change with
`blocks.events.emit` (listeners run after commit). Views and the admin call these and nothing lower.
"""

from blocks.services.content import block_replace_schema, block_update_data
from blocks.services.crud import block_create, block_delete, block_update_meta
from blocks.services.publishing import block_publish, block_unpublish
from blocks.services.restore import block_restore
from blocks.services.translation import block_copy_to_locale, block_sync_shared_fields, site_copy_to_locale

__all__ = [
    "block_copy_to_locale",
    "block_create",
    "block_delete",
    "block_publish",
    "block_replace_schema",
    "block_restore",
    "block_sync_shared_fields",
    "block_unpublish",
    "block_update_data",
    "block_update_meta",
    "site_copy_to_locale",
]
