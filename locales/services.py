"""Changing which locales a site enables, its default locale, and each locale's fallback.

Every change is checked against the site's whole configuration before it is written: codes are BCP 47
(`locales.codes`), the default locale is always enabled, a fallback is an enabled locale and the fallback
graph has no cycle. Disabling a locale keeps its blocks: they stop being served (the delivery API only
walks enabled locales) and come back when the locale is enabled again.

When a site's locales change, `locales.events.site_locales_changed` fires with `site_id=` after the commit
(the delivery cache drops that site's answers, for instance); enabling or disabling one also fires
`locales.events.locale_toggled` inside the transaction (the sync feed's change log records it).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import Site
from accounts.permissions import Action, Actor
from cms import errors, messages
from cms.sentinels import UNSET, Unset
from locales.codes import InvalidLocaleCode, canonical_code
from locales.events import locale_toggled, site_locales_changed
from locales.models import Locale, SiteLocale

MAX_NAME_LENGTH = 100
ONLY_TRUE = "Only `true` is accepted: make another locale the default instead."


def locale_code(value: str, field: str) -> str:
    """The canonical spelling of `value`, or `ValidationFailed` naming `field` (`code`, `fallback`)."""
    try:
        return canonical_code(value)
    except InvalidLocaleCode as exc:
        raise errors.ValidationFailed(fields={field: str(exc)}) from None


def _rows(site: Site) -> dict[str, SiteLocale]:
    """The site's locale rows by code, locked, so two concurrent changes cannot together make a cycle."""
    rows = SiteLocale.objects.select_for_update(of=("self",)).filter(site=site).select_related("locale", "fallback")
    return {row.locale.code: row for row in rows}


def _check_fallbacks(fallbacks: dict[str, str | None], field: str = "fallback") -> None:
    """Every fallback names an enabled locale and following fallbacks never comes back to where it began."""
    for code, target in fallbacks.items():
        if target is None:
            continue
        if target not in fallbacks:
            raise errors.ValidationFailed(fields={field: f"`{target}` is not a locale this site enables."})
        seen = [code]
        current: str | None = target
        while current is not None:
            if current in seen:
                loop = " → ".join([*seen, current])
                raise errors.ValidationFailed(
                    f"Fallbacks would loop: {loop}.", fields={field: f"Fallbacks would loop: {loop}."}
                )
            seen.append(current)
            current = fallbacks.get(current)


def _fallback_map(rows: dict[str, SiteLocale]) -> dict[str, str | None]:
    return {code: row.fallback_code for code, row in rows.items() if row.is_enabled}


def check_locale_name(name: str | None) -> None:
    """A locale's display name (None: the code) fits its column."""
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise errors.ValidationFailed(fields={"name": messages.too_long(MAX_NAME_LENGTH)})


def check_enable_values(*, code: str, name: str | None, fallback: str | None) -> tuple[str, str | None]:
    """The canonical code and fallback of a locale to enable; the first problem is raised alone, in this order:
    `code`, `name`, `fallback`."""
    code = locale_code(code, "code")
    check_locale_name(name)
    return code, None if fallback is None else locale_code(fallback, "fallback")


def already_enabled(code: str) -> errors.Conflict:
    return errors.Conflict(f"`{code}` is already enabled on this site.", fields={"code": "Already enabled."})


def site_locale_enable(
    *, actor: Actor, code: str, name: str | None = None, fallback: str | None = None, site: Site | None = None
) -> SiteLocale:
    """Enable `code` on the site (creating the catalogue entry if new); re-enabling brings its blocks back."""
    actor.require(Action.MANAGE)
    site = site or actor.site
    code, fallback_code = check_enable_values(code=code, name=name, fallback=fallback)
    with transaction.atomic():
        rows = _rows(site)
        existing = rows.get(code)
        if existing is not None and existing.is_enabled:
            raise already_enabled(code)
        if fallback_code == code:
            raise errors.ValidationFailed(fields={"fallback": "A locale cannot fall back to itself."})
        fallbacks = _fallback_map(rows)
        fallbacks[code] = fallback_code
        _check_fallbacks(fallbacks)
        locale, _ = Locale.objects.get_or_create(code=code, defaults={"name": name or code})
        fallback_locale = Locale.objects.get(code=fallback_code) if fallback_code else None
        if existing is None:
            # Two owners enabling the same new locale at once both find no row to lock: the second insert hits
            # the unique constraint, which is the same conflict as enabling it twice (savepoint: the
            # transaction stays usable for the error).
            try:
                with transaction.atomic():
                    row = SiteLocale.objects.create(site=site, locale=locale, fallback=fallback_locale)
            except IntegrityError:
                raise already_enabled(code) from None
        else:
            existing.is_enabled = True
            existing.fallback = fallback_locale
            existing.save(update_fields=["is_enabled", "fallback"])
            row = existing
        locale_toggled.fire(site_id=site.pk, code=code, enabled=True)
        site_locales_changed.fire(site_id=site.pk)
    return row


def check_update_values(*, fallback: str | Unset | None = UNSET, make_default: bool | Unset = UNSET) -> str | None:
    """The canonical fallback of a locale update (None: none or not given); every problem at once."""
    problems: dict[str, str] = {}
    if make_default is not UNSET and make_default is not True:
        problems["make_default"] = ONLY_TRUE
    fallback_code = None
    if isinstance(fallback, str):
        try:
            fallback_code = canonical_code(fallback)
        except InvalidLocaleCode as exc:
            problems["fallback"] = str(exc)
    if problems:
        raise errors.ValidationFailed(fields=problems)
    return fallback_code


def site_locale_update(
    *,
    actor: Actor,
    code: str,
    fallback: str | Unset | None = UNSET,
    make_default: bool | Unset = UNSET,
    site: Site | None = None,
) -> SiteLocale:
    """Change an enabled locale: its `fallback` (a code, or None for none) and/or make it the default.

    An argument left out leaves that setting as it is; `make_default` takes only True (a site always has a
    default: make another locale the default instead)."""
    actor.require(Action.MANAGE)
    site = site or actor.site
    code = locale_code(code, "code")
    fallback_code = check_update_values(fallback=fallback, make_default=make_default)
    with transaction.atomic():
        rows = _rows(site)
        row = rows.get(code)
        if row is None or not row.is_enabled:
            raise errors.NotFound(f"`{code}` is not a locale this site enables.")
        if fallback is not UNSET:
            if fallback_code == code:
                raise errors.ValidationFailed(fields={"fallback": "A locale cannot fall back to itself."})
            fallbacks = _fallback_map(rows)
            fallbacks[code] = fallback_code
            _check_fallbacks(fallbacks)
            row.fallback = rows[fallback_code].locale if fallback_code else None
            row.save(update_fields=["fallback"])
        if make_default is True and site.default_locale != code:
            Site.objects.filter(pk=site.pk).update(default_locale=code)
            site.default_locale = code
        site_locales_changed.fire(site_id=site.pk)
    return row


def site_locale_disable(*, actor: Actor, code: str, site: Site | None = None) -> SiteLocale:
    """Disable a locale. Its blocks are kept (no longer served); the default locale cannot be disabled."""
    actor.require(Action.MANAGE)
    site = site or actor.site
    code = locale_code(code, "code")
    with transaction.atomic():
        rows = _rows(site)
        row = rows.get(code)
        if row is None or not row.is_enabled:
            raise errors.NotFound(f"`{code}` is not a locale this site enables.")
        if code == site.default_locale:
            raise errors.ValidationFailed(
                f"`{code}` is the site's default locale; make another locale the default first.",
                fields={"code": "The default locale cannot be disabled."},
            )
        dependants = sorted(other for other, target in _fallback_map(rows).items() if target == code)
        if dependants:
            names = ", ".join(f"`{other}`" for other in dependants)
            raise errors.ValidationFailed(
                f"{names} fall back to `{code}`; change their fallback first.",
                fields={"code": f"Used as the fallback of {names}."},
            )
        row.is_enabled = False
        row.save(update_fields=["is_enabled"])
        locale_toggled.fire(site_id=site.pk, code=code, enabled=False)
        site_locales_changed.fire(site_id=site.pk)
    return row
