"""Who may read a site through the delivery API, answered from the cache whenever possible.

A public site needs no token. A private site wants a token of that site with the `read` scope (and a role
that reads); to anyone else it does not exist (the unknown site's 404, so private sites cannot be listed by
probing). `?preview=true` (working copies) always wants a token allowed to `preview`. A token that is sent is
always checked first, on any site: a revoked token must fail loudly, not pass silently.

Token facts are cached for `CMS["DELIVERY_TOKEN_CACHE_SECONDS"]` (expiry is checked exactly on every hit;
a revocation takes effect within that many seconds, or at once through `cache.forget_token`).
"""

from __future__ import annotations

import time

from django.db.models import OuterRef, Subquery

from accounts.authentication import hash_token, secret_from_header
from accounts.models import ApiToken, Membership, Site
from accounts.permissions import ROLE_ACTIONS, SCOPE_FOR_ACTION, Action
from accounts.preview import PreviewGrant, check_grant, is_preview_token, read_preview_token
from blocks.published import ReleaseOverlay
from cms import errors
from delivery import cache as dcache
from locales.selectors import fallback_map
from releases.models import ItemAction, Release, ReleaseItem

# Every 401 of the delivery API ends with this. A token that is sent is judged on every site (docs/delivery-api.md
# "Private sites"), so a frontend of a public site that sends a stale one is refused content it could read
# without it: the message says so, instead of leaving the reader to guess that the token is the problem.
NO_TOKEN_HINT = (
    " Send no token for public content; a private site's content needs a token of that site with the `read` scope."
)


def token_hash_from(header: str) -> str | None:
    """The SHA-256 of the bearer secret, or None when no Authorization header was sent."""
    try:
        secret = secret_from_header(header)
    except errors.Unauthenticated as exc:
        raise errors.Unauthenticated(exc.message + NO_TOKEN_HINT) from None
    return None if secret is None else hash_token(secret)


def load_site(slug: str) -> dcache.SiteFacts | None:
    """Two queries on a cold cache (the site, its locales); the result is cached, absence included."""
    site = Site.objects.filter(slug=slug).only("id", "slug", "is_public", "default_locale").first()
    facts = None
    if site is not None:
        facts = dcache.SiteFacts(
            id=site.pk,
            slug=site.slug,
            is_public=site.is_public,
            default_locale=site.default_locale,
            fallbacks=fallback_map(site),
        )
    dcache.put_site(facts, slug)
    return facts


def load_token(token_hash: str) -> dcache.TokenFacts | None:
    role = Membership.objects.filter(user=OuterRef("user"), site=OuterRef("site")).values("role")[:1]
    token = (
        ApiToken.objects.filter(token_hash=token_hash, user__is_active=True)
        .annotate(member_role=Subquery(role))
        .values("site_id", "member_role", "scopes", "expires_at", "revoked_at")
        .first()
    )
    facts = None
    if token is not None:
        facts = dcache.TokenFacts(
            site_id=token["site_id"],
            role=token["member_role"],
            scopes=frozenset(token["scopes"] or ()),
            expires_at=token["expires_at"].timestamp() if token["expires_at"] else None,
            revoked=token["revoked_at"] is not None,
        )
    dcache.put_token(token_hash, facts)
    return facts


def token_allows(token: dcache.TokenFacts, action: Action) -> bool:
    if token.role is None:  # its user is no longer a member of the token's site
        return False
    return action in ROLE_ACTIONS.get(token.role, frozenset()) and SCOPE_FOR_ACTION[action] in token.scopes


def check_token(token: dcache.TokenFacts | None) -> None:
    """A token that was sent must be a live one, whatever site is asked for: judged before the site is looked up,
    so an unknown, revoked or expired token answers the same 401 on every site, existing or not."""
    if token is None:
        raise errors.Unauthenticated("Unknown API token." + NO_TOKEN_HINT)
    if token.revoked or (token.expires_at is not None and token.expires_at <= time.time()):
        raise errors.TokenRevoked(errors.TokenRevoked.default_message + NO_TOKEN_HINT)


def site_not_found(slug: str) -> errors.NotFound:
    """The one answer for a site this reader may not know of: unknown, or private and not theirs."""
    return errors.NotFound(f"No site `{slug}`.")


def authorize(site: dcache.SiteFacts, token: dcache.TokenFacts | None, *, preview: bool) -> None:
    """Raise the envelope's error when this reader may not read `site` (or its working copies).

    `token` is a live token (`check_token`) or None when none was sent. A private site is hidden from a reader
    without a token of that site: the answer is `site_not_found`, byte for byte the unknown site's, so private
    sites cannot be told from absent ones. A public site is no secret: a token of another site is 403 there,
    and preview without a token 401."""
    if token is not None and token.site_id != site.id:
        if not site.is_public:
            raise site_not_found(site.slug)
        raise errors.Forbidden("This token belongs to another site.")
    if token is None and not site.is_public:
        raise site_not_found(site.slug)
    action = Action.PREVIEW if preview else Action.READ
    if not preview and site.is_public:
        return
    if token is None:
        raise errors.Unauthenticated("Previewing working copies needs a token with the `preview` scope.")
    if not token_allows(token, action):
        raise errors.Forbidden(f"This token does not allow `{action.value}` on this site.")


def preview_grant(authorization: str, param: str | None, preview_flag: str | None) -> PreviewGrant | None:
    """The grant of a preview token sent as `Authorization: Bearer cms_preview_…` or `?previewToken=`, or None
    when neither was sent. A preview token always means working copies: with `preview=false` beside it, or an API
    token beside it, the request contradicts itself and says so rather than guessing."""
    parts = authorization.split()
    in_header = len(parts) == 2 and parts[0].lower() == "bearer" and is_preview_token(parts[1])
    if param is None and not in_header:
        return None
    if param is not None and authorization:
        raise errors.BadRequest(
            "Send one credential: a preview token in `previewToken`, or a token in `Authorization`, not both.",
            fields={"previewToken": "Not with an Authorization header."},
        )
    if preview_flag is not None and preview_flag.lower() in ("false", "0"):
        raise errors.BadRequest(
            "A preview token serves working copies: leave `preview` out or set it to true.",
            fields={"preview": "Must not be false with a preview token."},
        )
    value = parts[1] if in_header else param or ""
    try:
        return read_preview_token(value)
    except errors.Unauthenticated as exc:
        if in_header:
            raise
        raise errors.Unauthenticated(exc.message, fields={"previewToken": exc.message}) from None


def authorize_grant(site: dcache.SiteFacts, grant: PreviewGrant) -> None:
    """A preview token opens its own site's working copies only; on a private site, another site's token learns
    nothing (the unknown site's 404), like an API token of another site."""
    if grant.site_id != site.id and not site.is_public:
        raise site_not_found(site.slug)
    check_grant(grant, site.id)


def release_overlay(site: dcache.SiteFacts, release_id: int) -> ReleaseOverlay:
    """What a release-scoped preview token shows: the release's items (one query). A release deleted since the
    token was minted ends its previews (401, like an expired token)."""
    rows = list(
        ReleaseItem.objects.filter(release_id=release_id, release__site_id=site.id).values_list("block_id", "action")
    )
    if not rows and not Release.objects.filter(pk=release_id, site_id=site.id).exists():
        message = "The release this preview token shows no longer exists: open its preview from the CMS again."
        raise errors.Unauthenticated(message)
    return ReleaseOverlay(
        release_id=release_id,
        publish_ids=frozenset(block for block, action in rows if action == ItemAction.PUBLISH),
        unpublish_ids=frozenset(block for block, action in rows if action == ItemAction.UNPUBLISH),
    )
