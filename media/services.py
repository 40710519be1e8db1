"""Writes of assets: upload, update (title, alt, focal point, tags), replace the file (same id), delete.

Each checks the actor's role (`write`: editors and owners), runs in one transaction and writes nothing when it
refuses. Files are written to the storage before the row and removed again if the transaction fails; the file
a replace or delete leaves behind is removed only after the commit, so a rolled-back write loses no bytes (and
a storage that fails then, such as an unreachable S3 endpoint, only leaves an orphan file: logged, not a 500).

Limits (`CMS` settings, see README "Media"): `MEDIA_MAX_UPLOAD_BYTES` per file (`payload_too_large`),
`MEDIA_QUOTA_BYTES` and `MEDIA_QUOTA_FILES` per site (`quota_exceeded`), `MEDIA_MAX_IMAGE_PIXELS` per image
(`payload_too_large`: a decompression bomb is refused before any pixel is decoded).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import TypedDict

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils.text import get_valid_filename

from accounts.models import Site
from accounts.permissions import Action, Actor
from cms import errors, messages
from cms.conf import cms_setting
from locales.selectors import enabled_locale_codes
from media import events
from media.cleaning import clean, svg_size
from media.errors import QuotaExceeded, storage_unavailable
from media.models import Asset, AssetKind
from media.renditions import average_color, remove_renditions
from media.sniffing import ALLOWED, RASTER, SVG, Sniffed, extension_of, sniff

MAX_TITLE_LENGTH = 200
MAX_ALT_LENGTH = 1000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
TAG_MESSAGE = f"Must be a non-empty string of at most {MAX_TAG_LENGTH} characters, no comma."
FOCAL_MESSAGE = "Must be {x, y} with each a number from 0 to 1, or null."
# Declared MIME types that say nothing (a client that did not know): only a specific one can disagree.
VAGUE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/wav": "audio/x-wav"}


class AssetValues(TypedDict, total=False):
    """What an upload or update sets besides the file; a key left out is left as it is."""

    title: str
    alt: dict[str, str]
    tags: list[str]
    focal_point: dict[str, float] | None


@dataclass(frozen=True)
class Upload:
    """A file as a client sent it: the bytes, its name and the type it declared (None: none)."""

    content: bytes
    name: str
    declared_type: str | None = None


def require_write(actor: Actor) -> None:
    actor.require(Action.WRITE, "Your role or token does not allow changing the media library.")


def clean_asset_values(site: Site, values: AssetValues) -> AssetValues:
    """The values checked, every problem at once (`alt.fr`, `tags[2]`, `focalPoint`), model-side names."""
    problems: dict[str, str] = {}
    checked: AssetValues = {}
    if "title" in values:
        title = values["title"].strip()
        if len(title) > MAX_TITLE_LENGTH:
            problems["title"] = messages.too_long(MAX_TITLE_LENGTH)
        checked["title"] = title
    if "alt" in values:
        enabled = set(enabled_locale_codes(site))
        alt: dict[str, str] = {}
        for code, text in values["alt"].items():
            if code not in enabled:
                problems[f"alt.{code}"] = "Not a locale of this site: one of " + ", ".join(sorted(enabled)) + "."
            elif not isinstance(text, str):
                problems[f"alt.{code}"] = messages.MUST_BE_STRING
            elif len(text) > MAX_ALT_LENGTH:
                problems[f"alt.{code}"] = messages.too_long(MAX_ALT_LENGTH)
            elif text.strip():
                alt[code] = text.strip()
        checked["alt"] = alt
    if "tags" in values:
        tags = values["tags"]
        if len(tags) > MAX_TAGS:
            problems["tags"] = messages.too_many(MAX_TAGS, "tags")
        for index, tag in enumerate(tags):
            if not tag.strip() or len(tag) > MAX_TAG_LENGTH or "," in tag:
                problems[f"tags[{index}]"] = TAG_MESSAGE
        checked["tags"] = list(dict.fromkeys(tag.strip() for tag in tags))
    if "focal_point" in values:
        point = values["focal_point"]
        if point is not None and not _is_focal_point(point):
            problems["focal_point"] = FOCAL_MESSAGE
        checked["focal_point"] = point
    if problems:
        raise errors.ValidationFailed(fields=problems)
    return checked


def _is_focal_point(point: object) -> bool:
    if not isinstance(point, dict) or set(point) != {"x", "y"}:
        return False
    return all(
        isinstance(point[axis], int | float)
        and not isinstance(point[axis], bool)
        and math.isfinite(point[axis])
        and 0 <= point[axis] <= 1
        for axis in ("x", "y")
    )


def _apply(asset: Asset, values: AssetValues) -> None:
    if "title" in values:
        asset.title = values["title"]
    if "alt" in values:
        asset.alt = values["alt"]
    if "tags" in values:
        asset.tags = values["tags"]
    if "focal_point" in values:
        point = values["focal_point"]
        asset.focal_x, asset.focal_y = (None, None) if point is None else (float(point["x"]), float(point["y"]))


def inspect_upload(upload: Upload, *, field: str = "file") -> tuple[Sniffed, bytes]:
    """The sniffed type and the bytes to store, or the refusal (size, emptiness, type, bombs)."""
    limit = cms_setting("MEDIA_MAX_UPLOAD_BYTES")
    if len(upload.content) > limit:
        raise errors.PayloadTooLarge(
            f"The file is over the {limit} byte limit.", fields={field: f"At most {limit} bytes."}
        )
    sniffed = sniff(upload.content, upload.name, field=field)
    declared = TYPE_ALIASES.get((upload.declared_type or "").lower(), (upload.declared_type or "").lower())
    if declared not in VAGUE_TYPES and declared != sniffed.mime_type:
        raise errors.ValidationFailed(
            fields={field: f"The content is {sniffed.mime_type}, but it was sent as {upload.declared_type}."}
        )
    stored = clean(upload.content, sniffed.mime_type)
    if sniffed.mime_type == SVG:
        width, height = svg_size(stored)
        sniffed = Sniffed(SVG, width, height)
    return sniffed, stored


def site_usage(site: Site) -> tuple[int, int]:
    """`(bytes, count)` the site's assets take now."""
    totals = Asset.objects.for_site(site).aggregate(total=Sum("size"))
    return int(totals["total"] or 0), Asset.objects.for_site(site).count()


def _check_quota(site: Site, *, more_bytes: int, more_files: int) -> None:
    used_bytes, used_files = site_usage(site)
    quota_bytes, quota_files = cms_setting("MEDIA_QUOTA_BYTES"), cms_setting("MEDIA_QUOTA_FILES")
    if used_files + more_files > quota_files:
        raise QuotaExceeded(
            f"The site already has {used_files} of its {quota_files} files.",
            fields={"file": f"At most {quota_files} files per site; delete some first."},
        )
    if used_bytes + more_bytes > quota_bytes:
        raise QuotaExceeded(
            f"The site uses {used_bytes} of its {quota_bytes} bytes; this file needs {more_bytes} more.",
            fields={"file": f"At most {quota_bytes} bytes per site; delete some first."},
        )


def _storage_name(site: Site, filename: str, mime_type: str) -> str:
    stem = filename.rpartition("/")[2].rpartition("\\")[2]
    extension = extension_of(stem) or ALLOWED[mime_type][0]
    base = get_valid_filename(stem[: -len(extension)] if stem.lower().endswith(extension) else stem)[:80] or "file"
    return f"sites/{site.pk}/{secrets.token_hex(8)}/{base}{extension}"


def _display_name(name: str) -> str:
    """The file name as uploaded, without folders, at most 255 characters with its extension kept."""
    base = name.rpartition("/")[2].rpartition("\\")[2]
    extension = extension_of(base)[:20]
    return base if len(base) <= 255 else base[: 255 - len(extension)] + extension


def _lock_site(site: Site) -> None:
    """Uploads of one site queue here, so two at once cannot both pass the quota's last bytes."""
    Site.objects.select_for_update().filter(pk=site.pk).first()


def asset_upload(
    *, actor: Actor, upload: Upload, values: AssetValues | None = None, duplicate: bool = False
) -> tuple[Asset, bool]:
    """Store `upload` as a new asset of the actor's site; answers `(asset, created)`.

    The same bytes already in the site's library answer that asset (`created` False, nothing written) unless
    `duplicate` asks for a second one."""
    require_write(actor)
    site = actor.site
    checked = clean_asset_values(site, values or {})
    sniffed, stored = inspect_upload(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    with transaction.atomic():
        _lock_site(site)  # under the lock: two uploads of the same bytes at once make one asset
        if not duplicate:
            existing = Asset.objects.for_site(site).filter(sha256=digest).order_by("pk").first()
            if existing is not None:
                return existing, False
        asset = store_new_asset(actor, upload, sniffed, stored, sha256=digest, values=checked)
    return asset, True


def store_new_asset(
    actor: Actor, upload: Upload, sniffed: Sniffed, stored: bytes, *, sha256: str, values: AssetValues
) -> Asset:
    """The new row and its file, inside the caller's transaction with the site locked (quota checked here);
    the file is removed again if the row cannot be saved. Shared by uploads and bundle imports."""
    site = actor.site
    _check_quota(site, more_bytes=len(stored), more_files=1)
    with storage_unavailable():
        name = default_storage.save(_storage_name(site, upload.name, sniffed.mime_type), ContentFile(stored))
    try:
        asset = Asset(
            site=site,
            original_name=_display_name(upload.name),
            kind=AssetKind.IMAGE if sniffed.is_image else AssetKind.FILE,
            mime_type=sniffed.mime_type,
            size=len(stored),
            width=sniffed.width,
            height=sniffed.height,
            color=average_color(stored) if sniffed.mime_type in RASTER else "",
            sha256=sha256,
            uploaded_by=actor.user if getattr(actor.user, "pk", None) else None,
        )
        asset.file.name = name
        _apply(asset, values)
        asset.save()
    except BaseException:
        default_storage.delete(name)
        raise
    return asset


def asset_update(*, actor: Actor, asset: Asset, values: AssetValues) -> Asset:
    require_write(actor)
    checked = clean_asset_values(asset.site, values)
    with transaction.atomic():
        _apply(asset, checked)
        asset.save()
        if {"alt", "title"} & set(checked):
            events.changed.fire(asset_id=asset.pk, site_id=asset.site_id)
        if "focal_point" in checked:  # crops are named by the focal point: the old ones are never asked again
            transaction.on_commit(lambda: remove_renditions(asset.site_id, asset.pk), robust=True)
    return asset


def asset_replace_file(*, actor: Actor, asset: Asset, upload: Upload) -> Asset:
    """Give `asset` new bytes, keeping its id (and so every block that points at it). The new file has a new
    name, so its URL changes; the old file is removed after the commit."""
    require_write(actor)
    sniffed, stored = inspect_upload(upload)
    old_name = asset.file.name or ""
    with transaction.atomic():
        _lock_site(asset.site)
        _check_quota(asset.site, more_bytes=len(stored) - asset.size, more_files=0)
        with storage_unavailable():
            name = default_storage.save(_storage_name(asset.site, upload.name, sniffed.mime_type), ContentFile(stored))
        try:
            asset.file.name = name
            asset.original_name = _display_name(upload.name)
            asset.kind = AssetKind.IMAGE if sniffed.is_image else AssetKind.FILE
            asset.mime_type = sniffed.mime_type
            asset.size = len(stored)
            asset.width, asset.height = sniffed.width, sniffed.height
            asset.color = average_color(stored) if sniffed.mime_type in RASTER else ""
            asset.sha256 = hashlib.sha256(upload.content).hexdigest()
            asset.save()
        except BaseException:
            default_storage.delete(name)
            raise
        transaction.on_commit(lambda: default_storage.delete(old_name), robust=True)
        transaction.on_commit(lambda: remove_renditions(asset.site_id, asset.pk, keep=asset.sha256), robust=True)
        events.changed.fire(asset_id=asset.pk, site_id=asset.site_id)
    return asset


def asset_delete(*, actor: Actor, asset: Asset, force: bool = False) -> None:
    """Delete `asset` and its file. Refused (`asset_in_use`, by a `media.events.deleting` subscriber) while
    blocks use it, unless `force`: their references then show the asset as missing."""
    require_write(actor)
    name = asset.file.name or ""
    with transaction.atomic():
        if not force:
            events.deleting.fire(asset=asset)
        asset_id, site_id = asset.pk, asset.site_id
        asset.delete()
        transaction.on_commit(lambda: default_storage.delete(name), robust=True)
        transaction.on_commit(lambda: remove_renditions(site_id, asset_id), robust=True)
        events.changed.fire(asset_id=asset_id, site_id=site_id)
