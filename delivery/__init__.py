"""The delivery API: published blocks and pages for frontend sites, read from a server-side cache.

views.py      plain Django views (no DRF on the hot path): parse, authorise, answer from the cache
answers.py    build an answer on a miss: the payload, its bytes, gzip, ETag, expiry
selectors.py  the queries (live rows, locale fallback in SQL, lists)
cache.py      per-site generation counters, cached site and token facts, what drops them (wiring/connect.py)
access.py     who may read: public sites, `read` and `preview` tokens
renditions.py an image asset's rendition (a redirect to the file `media.renditions` made once)
assets.py     drops a site's answers when an asset they show changes (`media.events.changed`)
changelog.py  the sync feed's change log: a per-site sequence taken in each change's transaction, tombstones
sync.py       the sync feed's pages and cursors (`GET /api/v1/delivery/{site}/sync`)
cdn.py        CDN keys of every answer (`Surrogate-Key`, `Cache-Tag`) and the purgers (Varnish, Fastly, Cloudflare)
purging.py    what is purged after each change, and the worker's retries of a failed purge
"""
