"""A typed client of the CMS delivery API (docs/frontends.md), the Python twin of `clients/js`.

Why it keeps answers: every delivery answer carries a strong ETag, so the client remembers the last ETag and
body per URL and sends `If-None-Match`; a `304 Not Modified` costs a round trip and no body, and returns the
remembered body. Locale fallback is the API's own: pass `locale`, read what was served in `meta["locale"]`.
Errors are `CmsError` with the envelope's `code`, `message` and `fields`.
"""

from __future__ import annotations

from cms_client.client import CmsClient, CmsError, SyncResult
from cms_client.types import (
    Block,
    BlockAnswer,
    BlockMeta,
    ListAnswer,
    ListMeta,
    SyncAnswer,
    SyncItem,
)

__all__ = [
    "Block",
    "BlockAnswer",
    "BlockMeta",
    "CmsClient",
    "CmsError",
    "ListAnswer",
    "ListMeta",
    "SyncAnswer",
    "SyncItem",
    "SyncResult",
]
