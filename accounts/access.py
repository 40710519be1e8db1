"""Site scoping for the admin: a logged-in user acts on each site with the role of their membership.

The admin reuses the API's `Actor` so one rule book (`accounts.permissions`) decides for both faces. A
superuser acts as an owner everywhere. Memberships are read once per request and cached on the request.
Every admin page (blocks, sites, members, tokens, webhooks) scopes itself with these three functions.
"""

from __future__ import annotations

from accounts.models import Membership, Role, Site
from accounts.permissions import Action, Actor, role_allows

_CACHE_ATTR = "_cms_site_roles"


def site_roles(request) -> dict[int, str]:
    """`{site_id: role}` for the request's user (every site, as owner, for a superuser)."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated or not user.is_active:
        roles: dict[int, str] = {}
    elif user.is_superuser:
        roles = {pk: Role.OWNER for pk in Site.objects.values_list("pk", flat=True)}
    else:
        roles = dict(Membership.objects.filter(user=user).values_list("site_id", "role"))
    setattr(request, _CACHE_ATTR, roles)
    return roles


def forget_site_roles(request) -> None:
    """Drop the cached roles (after a write that changed the user's own memberships or created a site)."""
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)


def actor_for(request, site: Site) -> Actor:
    """The request's user acting on `site` (role None when not a member: every `can` is then False)."""
    return Actor(user=request.user, site=site, role=site_roles(request).get(site.pk))


def sites_where(request, action: Action) -> list[int]:
    """Ids of the sites on which the user's role allows `action`."""
    return [pk for pk, role in site_roles(request).items() if role_allows(role, action)]
