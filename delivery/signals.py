"""Site edits drop the delivery cache's facts about that site.

Sites are saved by `accounts.services` (`site_create`, `site_update`, which `accounts` cannot make call into
`blocks`), and may be saved from a shell or a data migration, so a model signal is the one place that sees
every change of `is_public` (without it a site made private would keep answering anonymous readers until its
cached facts expire). Changes to a site's locales (enabled, default, fallbacks) are written with
`QuerySet.update()`, which sends no signal: they reach the cache through `CMS["SITE_LOCALES_CHANGED_LISTENERS"]`.
Block writes do NOT use signals: they announce themselves through `blocks.events` (see `cache.on_block_event`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _site_changed(sender, instance, **kwargs) -> None:
    from delivery.cache import invalidate_site

    transaction.on_commit(lambda: invalidate_site(instance))


def connect() -> None:
    from accounts.models import Site

    post_save.connect(_site_changed, sender=Site, dispatch_uid="delivery-site-saved")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid="delivery-site-deleted")
