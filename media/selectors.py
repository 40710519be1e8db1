"""Reads of assets: the library of the actor's site (filtered, newest first), one asset, assets by id."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from accounts.permissions import Action, Actor
from cms import errors
from media.models import Asset, AssetQuerySet


def assets_for_actor(
    actor: Actor, *, kind: str | None = None, tag: str | None = None, search: str | None = None
) -> AssetQuerySet:
    actor.require(Action.READ)
    assets = Asset.objects.for_site(actor.site)
    if kind:
        assets = assets.filter(kind=kind)
    if tag:
        assets = assets.with_tag(tag)
    if search:
        assets = assets.filter(Q(title__icontains=search) | Q(original_name__icontains=search))
    return assets.order_by("-created_at", "-id")


def asset_for_actor(actor: Actor, asset_id: str | int) -> Asset:
    actor.require(Action.READ)
    text = str(asset_id)
    asset = None
    if text.isascii() and text.isdigit() and len(text) < 19:
        asset = Asset.objects.for_site(actor.site).select_related("site").filter(pk=int(text)).first()
    if asset is None:
        raise errors.NotFound(f"No asset {text} in this site.")
    return asset


def assets_by_id(site_id: int, ids: Iterable[int]) -> dict[int, Asset]:
    """The assets of site `site_id` among `ids`, by id, in one query (ids of other sites are left out)."""
    wanted = {int(i) for i in ids}
    if not wanted:
        return {}
    return {asset.pk: asset for asset in Asset.objects.filter(site_id=site_id, pk__in=wanted)}
