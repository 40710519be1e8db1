"""Site scoping for the admin: a logged-in user acts on each site with the role of their membership.

The per-site roles, the `Actor` and `sites_where` live in `accounts.access` (sites, members and tokens use
them too) and are re-exported here; this module adds what is particular to blocks.
"""

from __future__ import annotations

from accounts.access import actor_for, site_roles, sites_where
from accounts.permissions import Action, Actor
from blocks.models import SiteBlock

__all__ = ["actor_for", "can_edit_data", "site_roles", "sites_where", "visible_blocks"]


def visible_blocks(request):
    """Blocks of the sites the user belongs to; never another site's."""
    return SiteBlock.objects.filter(site_id__in=list(site_roles(request))).select_related("site")


def can_edit_data(actor: Actor, block: SiteBlock) -> bool:
    """Mirrors `blocks.services.common.require_data_write`: translators edit non-default-locale copies only."""
    if actor.can(Action.WRITE):
        return True
    return block.locale != block.site.default_locale and actor.can(Action.TRANSLATE)
