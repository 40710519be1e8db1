"""Reads of releases, scoped to the actor's site (another site's id is `not_found`). Every member reads them."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.permissions import Action, Actor
from cms import errors
from cms.digits import parse_decimal
from releases.models import Release, ReleaseItem


def releases_for_actor(actor: Actor) -> QuerySet[Release]:
    actor.require(Action.READ)
    return Release.objects.filter(site=actor.site).annotate(item_count=Count("items")).order_by("-created_at", "-id")


def release_for_actor(actor: Actor, release_id: str) -> Release:
    pk = parse_decimal(release_id)
    found = releases_for_actor(actor).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise errors.NotFound(f"No release {release_id} on this site.")
    return found


def release_items(release: Release) -> list[ReleaseItem]:
    """The items with their blocks, in the order they were added (one query, whatever their number)."""
    return list(release.items.select_related("block").order_by("id"))


def item_of(release: Release, item_id: str) -> ReleaseItem:
    pk = parse_decimal(item_id)
    found = release.items.select_related("block").filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise errors.NotFound(f"No item {item_id} in this release.")
    return found
