"""`connect()`: every subscription between apps, in the order the subscribers run. Called once, at startup.

What happens after a block write (create, update, schema, publish, unpublish, delete, restore, copy), in order:

1. Inside the write's transaction, after the block row and its revision are written:
   `blocks.events.recorded` -> `webhooks.outbox.record_block_events` writes one outbox row for the write's
   events (the worker fans it out into signed deliveries later). A failure here fails the write.
   Then `delivery.changelog.record_block_events` moves each live change to the site's next sync number (the
   changes feed, `/api/v1/delivery/{site}/sync`); the site's counter row stays locked until the commit.
   Then `delivery.prerender.on_block_events` renders the written blocks' delivery answers again and stores
   their bytes (`delivery.models.RenderedAnswer`), so a cache miss reads them in one query.
   Then `delivery.purging.on_block_events` notes the CDN keys the write makes stale, purged once it commits.
   Then `delivery.search.record_block_events` writes (or deletes) the search documents of the live blocks.
2. The transaction commits; the API or admin answers after this.
3. After the commit, once per event: `blocks.events.committed` -> `delivery.cache.on_block_event` bumps the
   site's generation when readers could see a difference (a publish, unpublish, delete; any write to a
   published block), so the next delivery read renders afresh. A failure is logged; the write stands.

Before a publish (inside its transaction, before anything is written):

- `blocks.events.publishing` (a block write about to publish) -> `reviews.gate.refuse_unapproved_block`, and
  `releases.events.publishing` (a release about to publish its items) -> `reviews.gate.refuse_unapproved_release`:
  on a site that reviews before publishing, a state no reviewer approved is refused (`review_required`) and
  nothing is written, whichever way in asked (API, admin, release, scheduled publish).

Reviews, inside their transaction:

- `reviews.events.recorded` (requested, approved, changes requested) -> `webhooks.outbox.record_review_event`:
  one outbox row when an active webhook wants the event.

A release published or rolled back (`releases.services`), inside its transaction, after every block write of it:
`releases.events.recorded` -> `webhooks.outbox.record_release_event` writes one outbox row for the
`release.published` / `release.rolled_back` event (the blocks' own events were recorded by their writes).

Other moments, all after their commit:

- `accounts.events.site_changed` (name, time zone, public/private, default locale) ->
  `delivery.prerender.on_site_changed`: the stored answers that depend on the site (pages, answers showing
  assets) are marked stale (read-time rendering serves them; the worker renders them again); then
  `delivery.cache.invalidate_site`: the site's cached facts and answers are dropped (after the marking, so a
  read in between cannot cache the old bytes under the new generation); then
  `delivery.purging.on_site_changed`: the site's key is purged at the CDN.
- `accounts.events.token_revoked` (a revoke, or a role change of the token's user) ->
  `delivery.cache.forget_token`: the next delivery request with that token reads its rights afresh.
- `locales.events.locale_toggled` (enabled, disabled), inside the change's transaction ->
  `delivery.changelog.record_locale_toggled`: the locale's published blocks come back to, or leave, the feed.
- `locales.events.site_locales_changed` (enabled, disabled, default, fallback) ->
  `delivery.prerender.on_site_changed`, then `delivery.cache.invalidate_site`, then
  `delivery.purging.on_site_changed` (as for a site change).
- `cms.cacheguard.recovered` (the shared cache answers again after an outage) -> `delivery.cache.recover`:
  the invalidations recorded during the outage are replayed and the in-process copies dropped, before any
  request reads the cache again.

Media assets:

- `media.events.deleting`, inside the delete's transaction (not for a forced delete) ->
  `blocks.assets.refuse_delete_while_used`: an asset a block uses is refused (`asset_in_use`) with its users.
- `media.events.changed` (file replaced, alt or title changed, deleted), after the commit ->
  `delivery.prerender.on_asset_changed`: the stored answers showing it are rendered again (first, as above);
  then `delivery.assets.on_asset_changed`: the site's delivery answers are dropped when a block shows the
  asset; then `delivery.purging.on_asset_changed`: the asset's key is purged at the CDN; then
  `delivery.changelog.record_asset_changed`: the published blocks showing it are listed again in the sync feed.
"""

from __future__ import annotations

from accounts import events as account_events
from blocks import assets as block_assets
from blocks import events as block_events
from cms import cacheguard
from delivery import assets as delivery_assets
from delivery import cache as delivery_cache
from delivery import changelog as delivery_changelog
from delivery import prerender as delivery_prerender
from delivery import purging as delivery_purging
from delivery import search as delivery_search
from locales import events as locale_events
from media import events as media_events
from releases import events as release_events
from reviews import events as review_events
from reviews import gate as review_gate
from webhooks import outbox as webhooks_outbox


def connect() -> None:
    # -- review before publish: the last word before a publish, inside its transaction (docs/reviews.md) ------
    block_events.publishing.subscribe(review_gate.refuse_unapproved_block)
    release_events.publishing.subscribe(review_gate.refuse_unapproved_release)
    review_events.recorded.subscribe(webhooks_outbox.record_review_event)
    # -- a block write, inside its transaction ---------------------------------------------------------
    block_events.recorded.subscribe(webhooks_outbox.record_block_events)
    block_events.recorded.subscribe(delivery_changelog.record_block_events)
    block_events.recorded.subscribe(delivery_prerender.on_block_events)
    block_events.recorded.subscribe(delivery_purging.on_block_events)  # the purge itself runs after the commit
    block_events.recorded.subscribe(delivery_search.record_block_events)
    # -- a block write, after it commits ---------------------------------------------------------------
    block_events.committed.subscribe(delivery_cache.on_block_event)
    # -- a release published or rolled back, inside its transaction ----------------------------------
    release_events.recorded.subscribe(webhooks_outbox.record_release_event)
    # -- sites, tokens and locales, after they commit --------------------------------------------------
    # the stored answers are marked stale before the caches drop theirs: a read in between must not cache the
    # old bytes under the new generation
    account_events.site_changed.subscribe(delivery_prerender.on_site_changed)
    account_events.site_changed.subscribe(delivery_cache.invalidate_site)
    account_events.site_changed.subscribe(delivery_purging.on_site_changed)
    account_events.token_revoked.subscribe(delivery_cache.forget_token)
    locale_events.locale_toggled.subscribe(delivery_changelog.record_locale_toggled)
    locale_events.site_locales_changed.subscribe(delivery_prerender.on_site_changed)
    locale_events.site_locales_changed.subscribe(delivery_cache.invalidate_site)
    locale_events.site_locales_changed.subscribe(delivery_purging.on_site_changed)
    # -- media assets ----------------------------------------------------------------------------------
    media_events.deleting.subscribe(block_assets.refuse_delete_while_used)
    media_events.changed.subscribe(delivery_prerender.on_asset_changed)  # before the stamps move (as above)
    media_events.changed.subscribe(delivery_assets.on_asset_changed)
    media_events.changed.subscribe(delivery_purging.on_asset_changed)
    media_events.changed.subscribe(delivery_changelog.record_asset_changed)
    # -- the shared cache, back after an outage --------------------------------------------------------
    cacheguard.recovered.subscribe(delivery_cache.recover)
