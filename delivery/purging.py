"""Purging the CDN after a change commits: which keys, when, and retrying a purge that failed.

After a change commits, `purge(keys)` asks the configured purger (`delivery.cdn`, `CMS_CDN_PURGER`) to drop the
answers tagged with those keys: a block write purges the block's key (every locale: an answer that fell back
to another locale depends on this one too), its path's and the list key, once per write; a locale or site
change the site's; an asset change the asset's. A purge that fails (the CDN unreachable, an error answer) is
logged and retried by the worker (`purge_keys`, with backoff, `CMS_CDN_PURGE_ATTEMPTS` in all); it never fails
the write, which has committed already.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cms.conf import cms_setting
from delivery import cdn

logger = logging.getLogger("cms.delivery.cdn")


@task()
def purge_keys(keys: list[str], attempt: int) -> str:
    """The worker's retry of a purge that failed: again, later, until `CMS_CDN_PURGE_ATTEMPTS` are spent."""
    try:
        cdn.purge_now(keys)
    except cdn.PurgeFailed as error:
        if attempt + 1 >= cms_setting("CDN_PURGE_ATTEMPTS"):
            logger.error("CDN purge of %d keys failed %d times; given up: %s", len(keys), attempt + 1, error)
            return "failed"
        enqueue_purge(keys, attempt=attempt + 1)
        return "retrying"
    return "purged"


def enqueue_purge(keys: list[str], *, attempt: int) -> None:
    """Retry after 2, 4, 8… seconds (at most 5 minutes)."""
    delay = min(300, 2**attempt)
    purge_keys.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(keys, attempt)


def purge(keys: Iterable[str]) -> None:
    """Purge `keys` now; on failure, log it and leave a retry to the worker. Never raises for the CDN."""
    wanted = list(dict.fromkeys(keys))
    if not wanted or cms_setting("CDN_PURGER") == "none":
        return
    try:
        cdn.purge_now(wanted)
    except cdn.PurgeFailed as error:
        logger.warning("CDN purge of %d keys failed, retried by the worker: %s", len(wanted), error)
        enqueue_purge(wanted, attempt=1)


# -- subscribers (wiring/connect.py) -----------------------------------------------------------------------------
def on_block_events(events) -> None:
    """`blocks.events.recorded` (inside the write): one purge of the keys the write makes stale, once it commits."""
    keys = [key for event in events for key in cdn.block_event_keys(event)]
    if keys:
        transaction.on_commit(lambda: purge(keys))


def on_site_changed(site=None, *, site_id: int | None = None) -> None:
    """A site's settings or locales changed (after the commit): every answer of the site."""
    pk = site_id if site_id is not None else getattr(site, "pk", None)
    if pk is not None:
        purge(cdn.site_keys(pk))


def on_asset_changed(*, asset_id: int, site_id: int) -> None:
    """An asset's file, alt text or title changed, or it was deleted (after the commit)."""
    purge([cdn.asset_key(asset_id)])
