"""Assets arriving from a site bundle (`manage.py import_site`): stored under the checksum they were known by.

An upload (`media.services.asset_upload`) records the SHA-256 of the bytes as the client sent them, before
metadata stripping; a bundle carries the bytes as stored (already stripped) and that original checksum as the
asset's stable key. Uploading the bundle's bytes would record the checksum of the stripped bytes, a different
key, and the next import would not find the asset again. So this service does what an upload does (sniff,
clean, check the quota, store the file, then the row) but keeps the checksum the bundle names. Metadata
changes of an asset already there go through `media.services.asset_update`, the ordinary write.

A file is written to the storage before its row; when the surrounding transaction rolls back (a refused bundle,
a dry run) the caller removes the files it was told about with `discard_files`.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from accounts.permissions import Actor
from media.errors import storage_unavailable
from media.models import Asset
from media.services import (
    AssetValues,
    Upload,
    _lock_site,
    clean_asset_values,
    inspect_upload,
    require_write,
    store_new_asset,
)


def asset_import(*, actor: Actor, sha256: str, upload: Upload, values: AssetValues) -> Asset:
    """A new asset of the actor's site from a bundle's bytes, recorded under `sha256` (the bundle's key).

    The same checks and limits as an upload (type sniffed from the bytes, size, pixels, quota). Always a new row:
    the caller matched existing assets by key first."""
    require_write(actor)
    site = actor.site
    checked = clean_asset_values(site, values)
    sniffed, stored = inspect_upload(upload)
    with transaction.atomic():
        _lock_site(site)
        asset = store_new_asset(actor, upload, sniffed, stored, sha256=sha256, values=checked)
    return asset


def discard_files(names: list[str]) -> None:
    """Remove stored files whose rows were rolled back (a refused or dry-run import)."""
    for name in names:
        with storage_unavailable():
            default_storage.delete(name)


def read_bytes(asset: Asset) -> bytes:
    """The asset's stored bytes (what an export carries)."""
    with storage_unavailable(), default_storage.open(asset.file.name or "", "rb") as handle:
        return handle.read()
