"""Delivery answers that show a media asset, dropped when the asset changes (file replaced, alt text or title
changed, deleted): subscribed to `media.events.changed` in `wiring.connect`.

Exactly those: the stamps (`delivery.cache`, "Why stamps") of each published block whose live version shows
the asset or embeds other blocks through a data source (its slug's answers in every locale, its page path's
answer) and of the lists (any of them may show it) are moved; every other block's and page's cached answer
stays. Preview answers are never cached. An asset no published block shows invalidates nothing.
"""

from __future__ import annotations

from accounts.models import Site
from blocks.assets import published_places
from delivery import cache


def on_asset_changed(*, asset_id: int, site_id: int) -> None:
    places = published_places(site_id, asset_id)
    if not places:
        return
    slug = Site.objects.filter(pk=site_id).values_list("slug", flat=True).first()
    if slug is None:
        return
    stamps = [("b", block_slug) for block_slug, _ in places]
    stamps += [("p", cache.digest(path)) for _, path in places if path]
    cache.bump_stamps(slug, [*stamps, ("l", "*")])
