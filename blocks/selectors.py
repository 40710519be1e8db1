"""Reads of blocks for the management API and the admin: one block by slug, a filtered page of blocks.

Selectors own the query shape (what is deferred, what is joined) so query counts stay flat; views never
build querysets themselves.
"""

from __future__ import annotations

from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from cms import errors

LIST_DEFERRED = ("schema", "data", "published_snapshot")


def block_for_actor(actor: Actor, slug: str, locale: str | None = None) -> SiteBlock:
    """The block `slug` of the actor's site in `locale` (default: the site's default), or `not_found`."""
    actor.require(Action.READ)
    code = locale or actor.site.default_locale
    # The schedule (a reverse one-to-one) is joined for `meta.scheduleFailure`: no second query.
    block = SiteBlock.objects.filter(site=actor.site, locale=code, slug=slug).select_related("schedule").first()
    if block is None:
        raise errors.NotFound(f"No block `{slug}` in locale `{code}` of this site.")
    block.site = actor.site  # already loaded with the token: no second query
    return block


def blocks_for_list(actor: Actor):
    """The actor's site's blocks, without the heavy JSON columns lists never show."""
    actor.require(Action.READ)
    return SiteBlock.objects.for_site(actor.site).defer(*LIST_DEFERRED)
