"""Reads about a site's locales: which are enabled, and the fallback chain of each."""

from __future__ import annotations

from accounts.models import Site
from locales.models import SiteLocale


def enabled_locale_codes(site: Site) -> list[str]:
    rows = SiteLocale.objects.filter(site=site, is_enabled=True).order_by("locale__code")
    return list(rows.values_list("locale__code", flat=True))


def fallback_map(site: Site) -> dict[str, str | None]:
    """`{code: fallback code or None}` for the site's enabled locales, in one query."""
    rows = SiteLocale.objects.filter(site=site, is_enabled=True).values_list("locale__code", "fallback__code")
    return dict(rows)


def locale_chain(site: Site, code: str, *, fallbacks: dict[str, str | None] | None = None) -> list[str]:
    """The locales to try, in order, for `code`: itself, its fallbacks, then the site default.

    Only enabled locales take part; a disabled or unknown `code` gives an empty chain (nothing is served).
    Cycles are refused when locales are configured, and cut here too so a bad row can never loop forever.
    """
    return chain_of(code, fallback_map(site) if fallbacks is None else fallbacks, site.default_locale)


def chain_of(code: str, fallbacks: dict[str, str | None], default_locale: str) -> list[str]:
    """`locale_chain` from the fallback map and default locale alone (the delivery path has them cached)."""
    if code not in fallbacks:
        return []
    chain: list[str] = []
    current: str | None = code
    while current is not None and current in fallbacks and current not in chain:
        chain.append(current)
        current = fallbacks[current]
    if default_locale in fallbacks and default_locale not in chain:
        chain.append(default_locale)
    return chain


def site_locale_rows(site: Site) -> list[SiteLocale]:
    """The site's enabled locales with their catalogue entry and fallback, in one query, ordered by code."""
    rows = SiteLocale.objects.filter(site=site, is_enabled=True).select_related("locale", "fallback")
    return list(rows.order_by("locale__code"))
