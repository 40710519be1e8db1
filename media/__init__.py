"""The media library: each site's assets (uploaded images and files), safe to store and to serve.

models.py      `Asset`: the file (Django's default storage), sniffed type, size, pixels, checksum, title,
               alt per locale, focal point, tags
sniffing.py    what a file really is, from its bytes; refusals (empty, HTML, unknown, a name that lies, bombs)
cleaning.py    metadata stripped from JPEG/PNG/WebP without re-encoding; SVG rebuilt from an allow-list
services.py    upload, update, replace the file (same id), delete; limits and quota
selectors.py   the library, one asset, assets by id
renditions.py  resized and converted copies of images, from a fixed set, made once
storage.py     the S3 backend of `MEDIA_STORAGE_URL` (public URLs, sniffed Content-Type, short timeouts)
pruning.py     files no asset holds (a deleted site's), removed by `manage.py prune_media`
errors.py      quota, in-use, and a failing storage as 503
events.py      the hooks the apps above hear (`deleting`, `changed`; wired in `wiring/connect.py`)
api/           `/api/v1/assets`; views.py serves the originals at `MEDIA_URL`

Media knows no block: what uses an asset is `blocks/assets.py`.
"""
