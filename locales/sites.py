"""Writes on a site together with its locales: creating a site, and changing its settings.

They live here, above `accounts`, because a site is created with the locales it enables and its default
locale is one of them: `accounts` (sites, members, tokens) knows nothing of locales, and `locales` builds on
it. Like the other services, functions with `actor=` check the acting user's role; `site_create` is for
trusted callers (the `create_site` command, superusers in the admin, fixtures).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable

from django.db import transaction

from accounts.events import site_changed
from accounts.models import Site
from accounts.permissions import Action, Actor
from accounts.preview import preview_url_problem
from cms import errors, messages
from locales.models import Locale, SiteLocale
from locales.services import site_locale_update

MAX_SITE_NAME_LENGTH = 200
SITE_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def site_update(
    *,
    actor: Actor,
    name: str,
    timezone_name: str,
    is_public: bool,
    default_locale: str | None = None,
    preview_url: str | None = None,
    review_required: bool | None = None,
) -> Site:
    """Change a site's settings (owners only). The default locale must be one the site enables; changing it
    goes through `site_locale_update`, so the locale rules and their hook stay in one place. `preview_url`
    None keeps the current one; "" removes it (`accounts.preview` says what a valid one is). `review_required`
    None keeps review before publish as it is (docs/reviews.md).
    """
    actor.require(Action.MANAGE, "Only the site's owners change its settings.")
    problems = _site_field_problems(name=name, timezone_name=timezone_name)
    url_problem = None if preview_url is None else preview_url_problem(preview_url.strip())
    if url_problem:
        problems["previewUrl"] = url_problem
    if problems:
        raise errors.ValidationFailed(fields=problems)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=actor.site.pk)
        if default_locale is not None and default_locale != site.default_locale:
            try:
                site_locale_update(actor=actor, code=default_locale, make_default=True, site=site)
            except errors.CmsError as exc:
                raise errors.ValidationFailed(fields={"defaultLocale": exc.message}) from None
        site.name, site.timezone, site.is_public = name, timezone_name, bool(is_public)
        if preview_url is not None:
            site.preview_url = preview_url.strip()
        if review_required is not None:
            site.review_required = bool(review_required)
        site.save(update_fields=["name", "timezone", "is_public", "default_locale", "preview_url", "review_required"])
        site_changed.fire(site=site)
    return site


def _site_field_problems(*, name: str, timezone_name: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not name or not name.strip():
        problems["name"] = messages.NON_EMPTY_STRING
    elif len(name) > MAX_SITE_NAME_LENGTH:
        problems["name"] = messages.too_long(MAX_SITE_NAME_LENGTH)
    try:
        zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems["timezone"] = f"Unknown time zone `{timezone_name}`."
    return problems


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
    codes = list(dict.fromkeys(code.strip() for code in locales if code.strip()))
    problems = _site_field_problems(name=name, timezone_name=timezone_name)
    if not SITE_SLUG_RE.match(slug or "") or len(slug) > 100:
        problems["slug"] = "Use lowercase letters, digits and single hyphens (at most 100 characters)."
    bad = [code for code in codes if not LOCALE_RE.match(code)]
    if bad:
        problems["locales"] = f"Not a locale code: {', '.join(bad)}."
    if not codes:
        problems["locales"] = "Enable at least one locale."
    if default_locale not in codes:
        problems["defaultLocale"] = f"`{default_locale}` must be one of the site's locales ({', '.join(codes)})."
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
        site_changed.fire(site=site)
    return site
