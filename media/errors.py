"""The media app's own refusals, with stable codes (`cms.errors` holds the shared ones)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from cms.errors import CmsError, ServiceUnavailable

logger = logging.getLogger(__name__)


class QuotaExceeded(CmsError):
    """The site's media quota (bytes or count) would be passed. 409: the request conflicts with what the site
    stores now, and succeeds once assets are deleted or the quota raised; 413 stays for one upload too big."""

    code, status, default_message = "quota_exceeded", 409, "The site's media quota is used up."


class AssetInUse(CmsError):
    """An asset that blocks use cannot be deleted (unless forced); `fields` names each user."""

    code, status, default_message = "asset_in_use", 409, "The asset is used by blocks; delete with ?force=true."


STORAGE_DOWN = "The media storage cannot be reached right now; nothing was changed. Retry shortly."


@contextmanager
def storage_unavailable() -> Iterator[None]:
    """A storage that fails (an unreachable or refusing S3 endpoint, a full or unwritable disk) answers 503
    `service_unavailable` with `Retry-After`, as a database outage does: the request was not at fault, and the
    write around it rolls back. Logged, since it is the operator's to fix (credentials, bucket, network)."""
    try:
        yield
    except (OSError, BotoCoreError, ClientError) as exc:
        logger.warning("Media storage unavailable: %s", exc)
        raise ServiceUnavailable(STORAGE_DOWN) from exc
