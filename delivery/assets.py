"""Delivery answers that show a media asset, dropped when the asset changes (file replaced, alt text or title
changed, deleted): subscribed to `media.events.changed` in `wiring.connect`.

The delivery cache is keyed by a per-site generation (`delivery.cache`), so dropping "the answers that show
the asset" means bumping the site's generation, exactly when some block of the site shows the asset (its
working copy, for preview readers, or its published version); an asset no block uses invalidates nothing.
"""

from __future__ import annotations

from accounts.models import Site
from blocks.assets import asset_shown
from delivery import cache


def on_asset_changed(*, asset_id: int, site_id: int) -> None:
    if not asset_shown(site_id, asset_id):
        return
    slug = Site.objects.filter(pk=site_id).values_list("slug", flat=True).first()
    if slug is not None:
        cache.bump(slug)
