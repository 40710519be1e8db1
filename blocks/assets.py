"""Blocks and media assets: `image` and `file` values that point at an asset (`{"asset": id, "alt"?}`).

Three jobs, each needing both a block's schema and the asset rows (so neither `schema`, which is model-less,
nor `media`, which sits below blocks, can do them):

- **On write** (`check_asset_refs`, from the one write path's tail): each reference the write adds must name
  an asset of the block's own site (no cross-site references) that fits the field: an image field takes image
  assets; `accept` and `maxSize` apply to the asset's file name, MIME type and size; `requireAlt` is met by
  the value's `alt` or else the asset's alt text in the block's locale (then the site's default locale).
  References the write leaves as they were are not checked again, unless the schema changed (then their fit
  is); a force-deleted asset never blocks an unrelated edit, while restoring a revision that points at one is
  refused, per field.
- **On read** (`resolve_refs`): the management and delivery answers show each reference resolved: `url`,
  `width`, `height`, `alt` (the value's own, else the asset's in the answer's locale chain), `mimeType`,
  `size`, `name`, and for PNG/JPEG/GIF/WebP images `renditions` (a few webp widths narrower than the image,
  the delivery API's rendition URLs, for a `srcset`) and `color` (a placeholder); a reference to a deleted
  asset shows `"missing": true`. One query for a whole answer.
- **On delete** (`refuse_delete_while_used`, subscribed to `media.events.deleting`): an asset that any block of
  its site uses (working copy, published version, any locale copy, any revision) is refused with the list of
  users. Rows are found by a text match on the stored JSON (`"asset": 12`), then confirmed by walking the
  values of the image and file fields, so a lookalike string never counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.db.models import CharField, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from reversion.models import Version

from blocks.models import SiteBlock
from cms import errors
from media.errors import AssetInUse
from media.models import Asset, AssetKind
from media.selectors import assets_by_id
from media.sniffing import RASTER
from schema import ANY_ITEM, format_path, get_type, iter_fields, values_at
from schema.types.asset_ref import RESOLVED_KEYS

ASSET_TYPES = ("image", "file")
SRCSET_WIDTHS = (320, 640, 1280, 1920)  # among `media.renditions.WIDTHS`
#: a reference to no asset of the block's site: one never uploaded here, or deleted since (restoring a revision
#: whose asset was force-deleted meets this, per field)
MISSING_ASSET = (
    "No asset {id} in this site: it was deleted from the media library, or was never in it. Choose another "
    "file or remove this one."
)


@dataclass(frozen=True)
class Ref:
    """One reference in some data: where (`("gallery", 0)`), the field definition, and the value (a dict)."""

    path: tuple
    field: dict
    value: dict

    @property
    def asset_id(self) -> int:
        return self.value["asset"]

    @property
    def key(self) -> tuple:
        return (self.path, self.asset_id, self.value.get("alt"))


def asset_field_paths(schema: Any) -> Iterator[tuple[tuple, dict]]:
    """Every image or file field of `schema` as `(field path, definition)`, lists of them included."""
    if not isinstance(schema, list):
        return
    for ref in iter_fields(schema):
        if ref.type in ASSET_TYPES:
            yield ref.path, ref.field
        elif ref.type == "array":
            path, items = (*ref.path, ANY_ITEM), ref.field.get("items")
            while isinstance(items, dict) and items.get("type") == "array":
                path, items = (*path, ANY_ITEM), items.get("items")
            if isinstance(items, dict) and items.get("type") in ASSET_TYPES:
                yield path, items


def refs_in(schema: Any, data: Any) -> list[Ref]:
    """The asset references in `data` (as `schema` describes it)."""
    found = []
    for field_path, field in asset_field_paths(schema):
        for path, value in values_at(data, field_path):
            if isinstance(value, dict) and type(value.get("asset")) is int:
                found.append(Ref(path, field, value))
    return found


def rewrite_refs(schema: Any, data: Any, convert: Callable[[tuple, Any], Any]) -> Any:
    """A copy of `data` in which the `asset` of every image and file value is `convert(path, asset)`: ids to
    a bundle's stable asset keys on export, and back on import (`bundles`). `data` itself is never changed."""
    paths = list(asset_field_paths(schema))
    if not paths or not isinstance(data, dict):
        return data
    copy = orjson.loads(orjson.dumps(data))
    for field_path, _ in paths:
        for path, value in values_at(copy, field_path):
            if isinstance(value, dict) and "asset" in value:
                value["asset"] = convert(path, value["asset"])
    return copy


# -- on write ---------------------------------------------------------------------------------------------
def check_asset_refs(block: SiteBlock, before: dict | None) -> None:
    """Refuse (`validation_failed`, at each value's path) references `block`'s data adds that do not fit."""
    refs = refs_in(block.schema, block.data)
    if not refs:
        return
    kept: set[tuple] = set()
    if before is not None:
        kept = {ref.key for ref in refs_in(before.get("schema"), before.get("data"))}
    # A new schema may change a field's options: every reference is checked against them then.
    schema_changed = before is not None and before.get("schema") != block.schema
    checked = [ref for ref in refs if schema_changed or ref.key not in kept]
    if not checked:
        return
    assets = assets_by_id(block.site_id, {ref.asset_id for ref in checked})
    chain = [block.locale, block.site.default_locale]
    problems: dict[str, str] = {}
    for ref in checked:
        where = format_path("data", ref.path)
        asset = assets.get(ref.asset_id)
        if asset is None:
            if ref.key not in kept:  # one the write keeps (its asset force-deleted) does not stop the write
                problems[f"{where}.asset"] = MISSING_ASSET.format(id=ref.asset_id)
            continue
        problem = _misfit(ref, asset, chain)
        if problem is not None:
            problems[where + problem[0]] = problem[1]
    if problems:
        raise errors.ValidationFailed("The data did not validate.", fields=problems)


def _misfit(ref: Ref, asset: Asset, chain: list[str]) -> tuple[str, str] | None:
    field = ref.field
    if field["type"] == "image":
        if asset.kind != AssetKind.IMAGE:
            return ".asset", f"Asset {asset.pk} is not an image ({asset.mime_type})."
        if field.get("requireAlt") and not (ref.value.get("alt") or "").strip() and not asset.alt_in(chain):
            return ".alt", f"Alt text is required for this image (asset {asset.pk} has none in {chain[0]})."
        return None
    if "accept" in field:
        described = {"url": "/" + asset.original_name, "name": asset.original_name, "mimeType": asset.mime_type}
        file_type = get_type("file")
        assert file_type is not None, "the file type is registered"
        message = file_type.extra_check(field, described)
        if message is not None:
            return "", message
    if "maxSize" in field and asset.size > field["maxSize"]:
        return "", f"The file must be at most {field['maxSize']} bytes; asset {asset.pk} has {asset.size}."
    return None


# -- on read ----------------------------------------------------------------------------------------------
def resolve_refs(site: Any, items: list[tuple[Any, Any, list[str]]]) -> set[int]:
    """Resolve, in place, every asset reference in the data of `items`, each `(schema, data, locale chain)`;
    the data must be private copies. One query whatever the number of references (none without any). `site`
    needs `pk` and `slug` (a stub will do). Answers the ids referred to (what the answer depends on)."""
    found = [(ref, chain) for schema, data, chain in items for ref in refs_in(schema, data)]
    if not found:
        return set()
    asset_ids = {ref.asset_id for ref, _ in found}
    assets = assets_by_id(site.pk, asset_ids)
    for ref, chain in found:
        value = ref.value
        own_alt = value.get("alt")
        for key in RESOLVED_KEYS:
            value.pop(key, None)
        asset = assets.get(ref.asset_id)
        if asset is None:
            value["missing"] = True
            continue
        value.update({"url": asset.url, "mimeType": asset.mime_type, "size": asset.size, "name": asset.original_name})
        if asset.kind == AssetKind.IMAGE:
            value.update({"width": asset.width, "height": asset.height})
        if asset.mime_type in RASTER:
            value["renditions"] = srcset(site.slug, asset)
            value["color"] = asset.color
        if ref.field["type"] == "image":
            value["alt"] = own_alt if isinstance(own_alt, str) and own_alt.strip() else asset.alt_in(chain)
    return asset_ids


def with_resolved_refs(block: SiteBlock) -> dict | None:
    """A copy of `block`'s working data with its references resolved (the management answer), or None
    when it has none (no copy, no query)."""
    if not refs_in(block.schema, block.data):
        return None
    data = orjson.loads(orjson.dumps(block.data))
    resolve_refs(block.site, [(block.schema, data, [block.locale, block.site.default_locale])])
    return data


def srcset(site_slug: str, asset: Asset) -> list[dict]:
    """A few webp renditions narrower than the image, for a `srcset`: `[{"width": 320, "url": …}, …]`."""
    path = reverse("delivery-rendition", kwargs={"site": site_slug, "asset_id": asset.pk})
    widths = [width for width in SRCSET_WIDTHS if width < (asset.width or 0)]
    return [{"width": width, "url": f"{path}?w={width}&fmt=webp"} for width in widths]


# -- on delete --------------------------------------------------------------------------------------------
def _pattern(asset_id: int) -> str:
    return rf'"asset": {int(asset_id)}[,}}]'


def blocks_mentioning(site_id: int, asset_id: int):
    """The site's blocks whose working copy or published version may hold the reference (a text match)."""
    pattern = _pattern(asset_id)
    return (
        SiteBlock.objects.filter(site_id=site_id)
        .annotate(_data=Cast("data", TextField()), _live=Cast("published_snapshot", TextField()))
        .filter(Q(_data__regex=pattern) | Q(_live__regex=pattern))
    )


def asset_users(asset: Asset) -> list[str]:
    """Who uses `asset`, one line per block: `Block \\`home\\` (en): data.logo in the working copy, …`."""
    places: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for block in blocks_mentioning(asset.site_id, asset.pk).order_by("pk"):
        names[block.pk] = f"Block `{block.slug}` ({block.locale})"
        _note(places[block.pk], "the working copy", block.schema, block.data, asset.pk)
        snapshot = block.published_snapshot or {}
        _note(places[block.pk], "the published version", snapshot.get("schema"), snapshot.get("data"), asset.pk)
    site_blocks = SiteBlock.objects.filter(site_id=asset.site_id).annotate(key=Cast("pk", CharField()))
    versions = Version.objects.get_for_model(SiteBlock).filter(
        object_id__in=site_blocks.values("key"), serialized_data__regex=_pattern(asset.pk)
    )
    revisions: dict[int, int] = defaultdict(int)
    for object_id, text in versions.values_list("object_id", "serialized_data"):
        fields = orjson.loads(text)[0]["fields"]
        snapshot = fields.get("published_snapshot") or {}
        if any(ref.asset_id == asset.pk for ref in refs_in(fields.get("schema"), fields.get("data"))) or any(
            ref.asset_id == asset.pk for ref in refs_in(snapshot.get("schema"), snapshot.get("data"))
        ):
            revisions[int(object_id)] += 1
    missing = [pk for pk in revisions if pk not in names]
    for block in SiteBlock.objects.filter(pk__in=missing).only("slug", "locale"):
        names[block.pk] = f"Block `{block.slug}` ({block.locale})"
    for pk, count in revisions.items():
        places[pk].append(f"{count} revision{'s' if count != 1 else ''}")
    return [f"{names[pk]}: {', '.join(found)}." for pk, found in sorted(places.items()) if found]


def _note(places: list[str], where: str, schema: Any, data: Any, asset_id: int) -> None:
    paths = [format_path("data", ref.path) for ref in refs_in(schema, data) if ref.asset_id == asset_id]
    if paths:
        places.append(f"{', '.join(paths)} in {where}")


def refuse_delete_while_used(*, asset: Asset) -> None:
    """Subscribed to `media.events.deleting`: a used asset is `asset_in_use`, naming every user."""
    users = asset_users(asset)
    if users:
        raise AssetInUse(
            f"Asset {asset.pk} is used by {len(users)} block{'s' if len(users) != 1 else ''}; "
            "remove it from them, or delete with ?force=true.",
            fields={f"usedBy[{index}]": user for index, user in enumerate(users)},
        )


# -- for the library and the delivery cache ---------------------------------------------------------------
def used_asset_ids(site_id: int) -> set[int]:
    """The assets some block of the site shows (in its working copy or its published version): the media
    library's "in use" mark and its `unused` filter. Revisions are not read (a delete names them)."""
    used: set[int] = set()
    rows = SiteBlock.objects.filter(site_id=site_id).values_list("schema", "data", "published_snapshot")
    for schema, data, snapshot in rows.filter(Q(data__isnull=False) | Q(published_snapshot__isnull=False)):
        used.update(ref.asset_id for ref in refs_in(schema, data))
        snapshot = snapshot or {}
        used.update(ref.asset_id for ref in refs_in(snapshot.get("schema"), snapshot.get("data")))
    return used


#: a published schema with a data source: its answers embed other blocks, so they may show any asset
_DATA_SOURCE = r'"type": "dataSource"'
_REFERENCE = r'"reference": "slug"'


def published_places(site_id: int, asset_id: int) -> list[tuple[str, str | None]]:
    """`(slug, page path)` of every published block whose live answer may show the asset: those whose live
    version uses it, and those with a data source or a reference field (their answers embed other blocks:
    data sources, and `include=N`; resolved references included). The delivery answers an asset change must
    drop (a block's slug's, its page path's), no others."""
    rows = (
        SiteBlock.objects.filter(site_id=site_id, published_snapshot__isnull=False)
        .annotate(_live=Cast("published_snapshot", TextField()))
        .filter(Q(_live__regex=_pattern(asset_id)) | Q(_live__contains=_DATA_SOURCE) | Q(_live__contains=_REFERENCE))
        .values_list("slug", "path", "published_snapshot")
    )
    places = []
    for slug, path, snapshot in rows:
        snapshot = snapshot if isinstance(snapshot, dict) else {}
        schema = snapshot.get("schema")
        uses = any(ref.asset_id == asset_id for ref in refs_in(schema, snapshot.get("data")))
        if uses or _has_data_source(schema) or _has_reference(schema):
            places.append((slug, path or None))
    return places


def _has_reference(schema: Any) -> bool:
    """A string field (or an array's string items) naming other blocks (`blocks.references`)."""
    if not isinstance(schema, list):
        return False
    for ref in iter_fields(schema):
        items = ref.field.get("items")
        if ref.field.get("reference") == "slug" or (isinstance(items, dict) and items.get("reference") == "slug"):
            return True
    return False


def _has_data_source(schema: Any) -> bool:
    return isinstance(schema, list) and any(ref.type == "dataSource" for ref in iter_fields(schema))
