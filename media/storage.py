"""`S3MediaStorage`: django-storages' S3 backend as the media library wants it (`MEDIA_STORAGE_URL=s3://…`).

Why these choices (docs/media.md "Storage"):
- Plain, unsigned URLs (`querystring_auth = False`): delivery answers are cached until a write invalidates
  them, and one answer is shared by every reader; a signed URL in it would expire while the answer lives, and a
  URL signed per request would make every answer unique. The names are unguessable (a random folder per upload)
  and never reused (a replaced file gets a new name), so the bucket (or the CDN in front of it) serves them
  publicly for a year, as our own view does.
- Each object carries the MIME type we sniffed, not one guessed by the server's `mimetypes` table (which varies
  by machine), and `Cache-Control: immutable`.
- Short timeouts and few retries: a request waits on the store, so an unreachable one must answer 503
  (`media.errors.storage_unavailable`) in seconds, not after botocore's minute-long default connect timeout.
- An existing name is overwritten rather than renamed: a rendition's name is its identity
  (`media.renditions.rendition` checks it kept it), and originals never collide (random folders).
"""

from __future__ import annotations

import posixpath

from botocore.config import Config
from storages.backends.s3 import S3Storage

from media.renditions import FORMATS
from media.sniffing import ALLOWED

CACHE_CONTROL = "public, max-age=31536000, immutable"
PATIENCE = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3})
CONTENT_TYPES = {extension: mime for mime, extensions in ALLOWED.items() for extension in extensions} | {
    f".{name}": mime for name, (_, mime, _) in FORMATS.items()
}


class S3MediaStorage(S3Storage):
    querystring_auth = False
    file_overwrite = True
    default_acl = None  # class attributes win over django-storages' AWS_* defaults; OPTIONS over both

    def __init__(self, **options) -> None:
        super().__init__(**options)
        # django-storages built the client's Config from OPTIONS (the addressing style): add ours to it
        given: Config = getattr(self, "client_config")  # noqa: B009  (set in BaseStorage.__init__, untyped)
        self.client_config = given.merge(PATIENCE)

    def get_object_parameters(self, name: str) -> dict:
        extension = posixpath.splitext(name)[1].lower()
        return super().get_object_parameters(name) | {
            "CacheControl": CACHE_CONTROL,
            "ContentType": CONTENT_TYPES.get(extension, "application/octet-stream"),
        }
