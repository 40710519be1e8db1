"""Short-lived, signed preview tokens: how a frontend shows an editor's working copies without an API token.

An editor clicks Preview in the admin; the admin opens the site's preview URL (`Site.preview_url`, e.g.
`https://www.example.com/api/preview?slug={slug}&locale={locale}&token={token}`) with a token minted here. The
frontend passes the token on to the delivery API (`Authorization: Bearer cms_preview_…` or `?previewToken=`),
which then serves working copies of that site, until the token expires. A token may be scoped to a release
(`release_id`): the delivery API then serves, for the release's blocks, the state the release would publish,
and the published content for everything else (`delivery.access.release_overlay`).

The token is stateless: the site, the user who minted it and its expiry, signed with the `SECRET_KEY` (Django's
signing, HMAC-SHA256) under a salt of its own, so an API token or a session cookie can never pass for one. Nothing
is stored, so minting costs no write; the delivery API checks on every use that the user is still an active member
allowed to preview (one query), so removing someone from the site, or deactivating them, ends their previews at
once. Rotating the `SECRET_KEY` ends them all.
"""

from __future__ import annotations

import string
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.contrib.auth.models import User
from django.core import signing
from django.db.models import OuterRef, Subquery

from accounts.models import Membership, Site
from accounts.permissions import Action, Actor, role_allows
from cms import errors
from cms.conf import cms_setting

PREVIEW_TOKEN_PREFIX = "cms_preview_"
PREVIEW_URL_PLACEHOLDERS = ("slug", "locale", "path", "token")
MAX_PREVIEW_URL_LENGTH = 500
MAX_PREVIEW_TOKEN_LENGTH = 400
_SALT = "cms.accounts.preview-token"


@dataclass(frozen=True)
class PreviewGrant:
    """What a valid preview token allows: previewing `site_id`'s working copies as `user_id`, until `expires_at`."""

    site_id: int
    user_id: int
    expires_at: int  # Unix seconds
    release_id: int | None = None  # a release's preview: its state over the live site


def require_preview(actor: Actor) -> None:
    actor.require(Action.PREVIEW, "Minting a preview token needs the `preview` scope.")


def mint_preview_token(
    *, actor: Actor, ttl_seconds: int | None = None, release_id: int | None = None
) -> tuple[str, int]:
    """A preview token for the actor's site, and its expiry (Unix seconds). The actor must be allowed to preview
    (every role is; a token needs the `preview` scope); a lifetime beyond the configured maximum is refused.
    `release_id` scopes it to a release of the site (the caller checked that the release is the site's)."""
    require_preview(actor)
    if actor.user is None:
        raise errors.Forbidden("Preview tokens are minted for a person.")
    maximum = cms_setting("PREVIEW_TOKEN_MAX_SECONDS")
    ttl = cms_setting("PREVIEW_TOKEN_SECONDS") if ttl_seconds is None else ttl_seconds
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= maximum:
        raise errors.ValidationFailed(fields={"ttlSeconds": f"A whole number of seconds from 1 to {maximum}."})
    expires_at = int(time.time()) + ttl
    payload = {"s": actor.site.pk, "u": actor.user.pk, "e": expires_at}
    if release_id is not None:
        payload["r"] = release_id
    signed = signing.dumps(payload, salt=_SALT, compress=True)
    return PREVIEW_TOKEN_PREFIX + signed, expires_at


def is_preview_token(value: str) -> bool:
    return value.startswith(PREVIEW_TOKEN_PREFIX)


def read_preview_token(value: str) -> PreviewGrant:
    """The grant a token carries, or `unauthenticated` when it is forged, altered, or expired (each said so)."""
    if not is_preview_token(value) or len(value) > MAX_PREVIEW_TOKEN_LENGTH:
        raise errors.Unauthenticated("This is not a preview token (they start with `cms_preview_`).")
    try:
        payload = signing.loads(value[len(PREVIEW_TOKEN_PREFIX) :], salt=_SALT)
    except signing.BadSignature:
        raise errors.Unauthenticated(
            "This preview token is not valid: it was altered, or signed by another installation."
        ) from None
    release = payload.get("r")
    grant = PreviewGrant(
        site_id=int(payload["s"]),
        user_id=int(payload["u"]),
        expires_at=int(payload["e"]),
        release_id=None if release is None else int(release),
    )
    if grant.expires_at <= time.time():
        raise errors.Unauthenticated("This preview token has expired: open the preview from the CMS again.")
    return grant


def check_grant(grant: PreviewGrant, site: Site | int) -> None:
    """A live grant for `site`: the token was minted for this site, and its user may still preview it (a member
    whose role previews, or a superuser, active either way). One query."""
    site_id = site if isinstance(site, int) else site.pk
    if grant.site_id != site_id:
        raise errors.Forbidden("This preview token belongs to another site.")
    role = Membership.objects.filter(user=OuterRef("pk"), site_id=site_id).values("role")[:1]
    user = User.objects.filter(pk=grant.user_id, is_active=True).annotate(role=Subquery(role))
    facts = user.values("is_superuser", "role").first()
    if facts is None or not (facts["is_superuser"] or role_allows(facts["role"], Action.PREVIEW)):
        raise errors.Unauthenticated("Whoever opened this preview may no longer preview this site.")


def preview_url_problem(template: str) -> str | None:
    """Why `template` cannot be a site's preview URL, or None when it can (the empty string included: no URL).

    An absolute http(s) URL whose `{placeholders}` are among `PREVIEW_URL_PLACEHOLDERS` and that carries
    `{token}` (the frontend has no other way to read working copies)."""
    if not template:
        return None
    if len(template) > MAX_PREVIEW_URL_LENGTH:
        return f"At most {MAX_PREVIEW_URL_LENGTH} characters."
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "An absolute http:// or https:// URL, e.g. https://www.example.com/api/preview?token={token}."
    try:
        names = [name for _, name, spec, conv in string.Formatter().parse(template) if name is not None]
    except ValueError:
        return "Unbalanced braces: write placeholders as {slug}, {locale}, {path} or {token}."
    unknown = sorted({name for name in names if name not in PREVIEW_URL_PLACEHOLDERS})
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PREVIEW_URL_PLACEHOLDERS)
        return f"Unknown placeholder {{{unknown[0]}}}: use {allowed}."
    if "token" not in names:
        return "Put {token} in the URL: the frontend passes it on to the delivery API to read working copies."
    return None


def preview_url_for(template: str, *, slug: str, locale: str, path: str | None, token: str) -> str:
    """The site's preview URL for one block, every value URL-encoded (a path keeps its slashes)."""
    return template.format(
        slug=quote(slug, safe=""), locale=quote(locale, safe=""), path=quote(path or "", safe="/"), token=token
    )
