"""The base of every management API view: who acts, on which site.

`SiteAPIView.initial` authenticates (token or admin session), then builds `self.actor` (user, site, role,
scopes). Token calls act on the token's site (a `?site=` naming another is `bad_request`); session calls pick
the site with `?site=<slug>` (or the only site the user belongs to). Views stay thin: they check
`self.actor`, call one service or selector, render.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from accounts.models import Membership, Role, Site
from accounts.permissions import Actor
from cms import errors
from cms.api.openapi import CmsAutoSchema
from cms.api.serializers import read_object
from cms.api.throttling import TokenRateThrottle


def site_param_mismatch(token_site: Site, requested: list[str]) -> errors.BadRequest | None:
    """A token acts on its own site only: `?site=` naming another site is refused, never silently ignored.

    Any other slug is refused the same way, whether or not such a site exists (the answer tells nothing about
    other sites); `?site=` naming the token's own site, or left out, is fine."""
    if all(slug == token_site.slug for slug in requested):  # every `site` given, if any (`?site=a&site=b`)
        return None
    return errors.BadRequest(
        "This token acts on its own site only: leave `site` out or name the token's site.",
        fields={"site": "Not the site of this token."},
    )


def actor_for_request(request) -> Actor:
    user = request.user
    token = request.auth
    if token is not None and hasattr(token, "token_hash"):
        mismatch = site_param_mismatch(token.site, request.query_params.getlist("site"))
        if mismatch is not None:
            raise mismatch
        return Actor(
            user=user, site=token.site, role=token.member_role, scopes=frozenset(token.scopes or ()), token=token
        )
    if user is None or not user.is_authenticated:
        raise errors.Unauthenticated()
    slug = request.query_params.get("site")
    memberships = Membership.objects.select_related("site").filter(user=user)
    if slug:
        membership = memberships.filter(site__slug=slug).first()
        if membership is not None:
            return Actor(user=user, site=membership.site, role=membership.role)
        if user.is_superuser:
            site = Site.objects.filter(slug=slug).first()
            if site is not None:
                return Actor(user=user, site=site, role=Role.OWNER)
        raise errors.NotFound(f"No site `{slug}` for this user.")
    found = list(memberships[:2])
    if len(found) == 1:
        return Actor(user=user, site=found[0].site, role=found[0].role)
    if user.is_superuser and not found:
        sites = list(Site.objects.all()[:2])
        if len(sites) == 1:
            return Actor(user=user, site=sites[0], role=Role.OWNER)
    raise errors.BadRequest("Choose the site with `?site=<slug>`.", fields={"site": "Required for session access."})


class SiteAPIView(APIView):
    actor: Actor
    # Rate limits apply to the management API (per token); the delivery API has its own caching instead.
    throttle_classes = [TokenRateThrottle]
    schema = CmsAutoSchema()
    openapi_tag: str | None = None
    # The view addresses one locale copy (`?locale=`); its writes honour `If-Match` (both for the document).
    locale_addressed = False
    honours_if_match = False
    # A POST that writes no content (minting a preview token) opts out of the read-only caller's first gate.
    writes_content = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.actor = actor_for_request(request)
        if request.method not in SAFE_METHODS:
            if self.writes_content and not self.actor.may_write():
                raise errors.Forbidden("Your role or token only allows reading on this site.")
            # Parse now, so a malformed body is `bad_request` on every write, even on endpoints that ignore it.
            read_object(request)
