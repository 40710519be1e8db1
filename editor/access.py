"""Site scoping for the admin: a logged-in user acts on each site with the role of their membership.

The per-site roles, the `Actor` and `sites_where` live in `accounts.access` (sites, members and tokens use
them too) and are re-exported here; this module adds what is particular to blocks.
"""

from __future__ import annotations

from accounts.access import actor_for, site_roles, sites_where
from blocks.models import SiteBlock
from blocks.services.common import may_write_data

__all__ = ["actor_for", "can_edit_data", "site_roles", "sites_where", "visible_blocks"]

# Who may edit a block's content in the admin is who may write it through the API: one rule.
can_edit_data = may_write_data


def visible_blocks(request):
    """Blocks of the sites the user belongs to; never another site's."""
    return SiteBlock.objects.filter(site_id__in=list(site_roles(request))).select_related("site")
