"""Writes on sites, memberships and API tokens.

A token's secret (`cms_live_<random>`) exists only in the return value of `token_create`: the database keeps
its SHA-256, so a leaked database dump cannot be replayed against the API. At most
`CMS["MAX_ACTIVE_TOKENS_PER_USER_AND_SITE"]` tokens are active per user and site; the count is taken under a
lock on the membership row, so two concurrent creations cannot both slip under the cap.
"""

from __future__ import annotations

import re
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.authentication import hash_token
from accounts.models import TOKEN_PREFIX, ApiToken, Membership, Role, Scope, Site
from cms import errors
from cms.conf import cms_setting

# Scopes a management token may carry; `preview` is for the delivery API's drafts.
TOKEN_SCOPES = (Scope.READ, Scope.WRITE, Scope.PUBLISH, Scope.PREVIEW)
DEFAULT_TOKEN_SCOPES = (Scope.READ, Scope.WRITE, Scope.PUBLISH)
SITE_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    """Known scopes only, de-duplicated, in a stable order; an empty set is refused (a useless token)."""
    given = {scope.strip() for scope in scopes if scope and scope.strip()}
    unknown = given - set(TOKEN_SCOPES)
    if unknown:
        raise errors.ValidationFailed(
            fields={"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}. Use {', '.join(TOKEN_SCOPES)}."}
        )
    if not given:
        raise errors.ValidationFailed(fields={"scopes": "Give at least one scope."})
    return [scope.value for scope in TOKEN_SCOPES if scope in given]


def membership_set(*, user, site: Site, role: str) -> Membership:
    """Give `user` exactly `role` on `site` (creating the membership when missing)."""
    if role not in Role.values:
        raise errors.ValidationFailed(fields={"role": f"Unknown role `{role}`. Use {', '.join(Role.values)}."})
    membership, _ = Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
    return membership


def token_create(
    *,
    user,
    site: Site,
    name: str = "",
    scopes: Iterable[str] = DEFAULT_TOKEN_SCOPES,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` on `site`, and its secret (shown once: only the hash is kept).

    The user must be a member of the site: the role is what caps the token, and a token without one could do
    nothing. Scopes beyond the role are kept as given; the role caps them on every request
    (`accounts.permissions.Actor.can`), so a later promotion takes effect without reissuing tokens.
    """
    clean = clean_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise errors.ValidationFailed(fields={"expiresAt": "Must be in the future."})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise errors.ValidationFailed(fields={"name": "At most 100 characters."})
    limit = cms_setting("MAX_ACTIVE_TOKENS_PER_USER_AND_SITE")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, site=site).first()
        if membership is None:
            raise errors.Forbidden(f"`{user}` has no role on site `{site.slug}`; give one before issuing a token.")
        active = ApiToken.objects.active().filter(user=user, site=site).count()
        if active >= limit:
            raise errors.Conflict(
                f"`{user}` already has {active} active tokens on `{site.slug}` (at most {limit}); revoke one first."
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            site=site,
            name=name,
            token_hash=hash_token(secret),
            display_prefix=secret[: len(TOKEN_PREFIX) + 6],
            scopes=clean,
            expires_at=expires_at,
        )
    return token, secret


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke now; the next request with it answers `token_revoked`. Revoking twice keeps the first time.

    The callables in `CMS["TOKEN_REVOKED_LISTENERS"]` get `token_hash=` after the commit (the delivery API
    caches what a token may do, and drops that at once).
    """
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    token_hash = token.token_hash

    def announce() -> None:
        for dotted in cms_setting("TOKEN_REVOKED_LISTENERS"):
            import_string(dotted)(token_hash=token_hash)

    transaction.on_commit(announce)
    return token


def site_create(
    *,
    slug: str,
    name: str,
    locales: Iterable[str],
    default_locale: str,
    timezone_name: str = "UTC",
) -> Site:
    """A site with its enabled locales. A regional code (`fr-CA`) falls back to its language (`fr`) when the
    site enables that language; every chain then ends at the site default (`locales.selectors.locale_chain`).
    """
    from locales.models import Locale, SiteLocale

    codes = list(dict.fromkeys(code.strip() for code in locales if code.strip()))
    problems: dict[str, str] = {}
    if not SITE_SLUG_RE.match(slug or "") or len(slug) > 100:
        problems["slug"] = "Use lowercase letters, digits and single hyphens (at most 100 characters)."
    if not name or len(name) > 200:
        problems["name"] = "Give a name of at most 200 characters."
    bad = [code for code in codes if not LOCALE_RE.match(code)]
    if bad:
        problems["locales"] = f"Not a locale code: {', '.join(bad)}."
    if not codes:
        problems["locales"] = "Enable at least one locale."
    if default_locale not in codes:
        problems["defaultLocale"] = f"`{default_locale}` must be one of the site's locales ({', '.join(codes)})."
    try:
        zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems["timezone"] = f"Unknown time zone `{timezone_name}`."
    if problems:
        raise errors.ValidationFailed(fields=problems)
    with transaction.atomic():
        if Site.objects.filter(slug=slug).exists():
            raise errors.Conflict(f"A site `{slug}` already exists.")
        site = Site.objects.create(slug=slug, name=name, default_locale=default_locale, timezone=timezone_name)
        by_code = {}
        for code in codes:
            by_code[code], _ = Locale.objects.get_or_create(code=code, defaults={"name": code})
        for code in codes:
            language = code.split("-")[0]
            fallback = by_code.get(language) if language != code else None
            SiteLocale.objects.create(site=site, locale=by_code[code], fallback=fallback)
    return site
