"""Exporting a site as a bundle: `export_site(site, revisions=…)` answers its files (`bundles.format.Files`).

What goes in, and why each choice keeps two exports of the same content byte-identical:

- No database ids, no local paths, no timestamps that an import would change. Blocks are named by locale and
  slug (`blocks/<locale>/<slug>.json`) and carry their translation key (a UUID that is content: the same in
  every environment the block travels to). Assets are keyed by the SHA-256 of their bytes as uploaded, and
  each `{"asset": <id>}` in block data (working copy, published snapshot, revisions) becomes
  `{"asset": "<key>"}`. Revisions carry their number, comment, author's username, date and change list, which
  an import restores as they were.
- Lists in a stable order: locales by code, assets by key, revisions by number; JSON keys sorted.

Reads are a fixed number of queries whatever the size of the site (the assets' bytes are read from storage).
"""

from __future__ import annotations

from typing import Any

from accounts.models import Site
from blocks.assets import rewrite_refs
from blocks.models import SiteBlock
from bundles import format
from locales.models import SiteLocale
from media.importing import read_bytes
from media.models import Asset
from media.sniffing import ALLOWED, extension_of
from revisions.selectors import histories


def asset_keys(assets: list[Asset]) -> dict[int, str]:
    """Each asset's stable key: its checksum, with `-2`, `-3`… for the same bytes stored again (by id order)."""
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for asset in sorted(assets, key=lambda a: a.pk):
        seen[asset.sha256] = seen.get(asset.sha256, 0) + 1
        keys[asset.pk] = asset.sha256 if seen[asset.sha256] == 1 else f"{asset.sha256}-{seen[asset.sha256]}"
    return keys


def asset_file_name(key: str, asset: Asset) -> str:
    extension = extension_of(asset.original_name) or ALLOWED.get(asset.mime_type, ("",))[0]
    return f"{format.ASSET_DIR}{key}{extension}"


def block_file(block: SiteBlock, folder: str = format.BLOCK_DIR) -> str:
    return f"{folder}{block.locale}/{block.slug}.json"


def export_site(site: Site, *, revisions: bool = False) -> format.Files:
    """Every file of `site`'s bundle; `revisions` adds each block's history."""
    files: format.Files = {
        format.MANIFEST: format.dump({"format": format.FORMAT, "formatVersion": format.FORMAT_VERSION}),
        format.SITE: format.dump(
            {
                "slug": site.slug,
                "name": site.name,
                "defaultLocale": site.default_locale,
                "timezone": site.timezone,
                "isPublic": site.is_public,
            }
        ),
    }
    rows = SiteLocale.objects.filter(site=site, is_enabled=True).select_related("locale", "fallback")
    files[format.LOCALES] = format.dump(
        [
            {"code": row.locale.code, "fallback": row.fallback_code}
            for row in sorted(rows, key=lambda row: row.locale.code)
        ]
    )
    assets = list(Asset.objects.for_site(site))
    keys = asset_keys(assets)
    described = []
    for asset in assets:
        key = keys[asset.pk]
        name = asset_file_name(key, asset)
        files[name] = read_bytes(asset)
        described.append(describe_asset(asset, key, name))
    files[format.ASSETS] = format.dump(sorted(described, key=lambda entry: entry["key"]))

    def to_key(_path: tuple, value: Any) -> Any:
        return keys.get(value) if type(value) is int else value  # a deleted asset's reference: null

    blocks = list(SiteBlock.objects.for_site(site).order_by("locale", "slug"))
    for block in blocks:
        files[block_file(block)] = format.dump(describe_block(block, to_key))
    if revisions:
        found = histories([block.pk for block in blocks])
        for block in blocks:
            files[block_file(block, format.REVISION_DIR)] = format.dump(
                [describe_revision(row, state, to_key) for row, state in found.get(block.pk, [])]
            )
    return files


def describe_asset(asset: Asset, key: str, name: str) -> dict[str, Any]:
    focal = None if asset.focal_x is None or asset.focal_y is None else {"x": asset.focal_x, "y": asset.focal_y}
    return {
        "key": key,
        "file": name,
        "originalName": asset.original_name,
        "mimeType": asset.mime_type,
        "kind": asset.kind,
        "size": asset.size,
        "width": asset.width,
        "height": asset.height,
        "title": asset.title,
        "alt": asset.alt,
        "focalPoint": focal,
        "tags": list(asset.tags),
    }


def describe_block(block: SiteBlock, to_key) -> dict[str, Any]:
    snapshot = block.published_snapshot
    if isinstance(snapshot, dict):
        live_schema = snapshot.get("schema")
        snapshot = {"schema": live_schema, "data": rewrite_refs(live_schema, snapshot.get("data"), to_key)}
    return {
        "translationKey": str(block.translation_key),
        "locale": block.locale,
        "slug": block.slug,
        "name": block.name,
        "type": block.type,
        "path": block.path,
        "tags": list(block.tags),
        "status": block.status,
        "schema": block.schema,
        "data": rewrite_refs(block.schema, block.data, to_key),
        "publishedSnapshot": snapshot,
        "translationHashes": block.translation_hashes,
    }


def describe_revision(row, state: dict, to_key) -> dict[str, Any]:
    state = {**state, "data": rewrite_refs(state.get("schema"), state.get("data"), to_key)}
    return {
        "number": row.number,
        "comment": row.comment,
        "author": row.author.get_username() if row.author is not None else None,
        "createdAt": row.created_at.isoformat(),
        "changes": row.changes,
        "state": state,
    }
