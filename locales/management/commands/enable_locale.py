"""`manage.py enable_locale <site> <code> [--fallback en] [--name "Español"]`: enable a locale on a site.

What an owner does with `POST /api/v1/locales`, through the same service (`site_locale_enable`), for scripts
and for the step before `copy_site_to_locale`, which copies blocks only into an enabled locale. Enabling a
locale that is enabled already changes nothing and is not an error, so a setup script can run it again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Site
from accounts.permissions import Actor
from cms import errors
from cms.errors import error_text
from locales.selectors import enabled_locale_codes
from locales.services import locale_code, site_locale_enable


class Command(BaseCommand):
    help = "Enable a locale on a site (BCP 47 code), with an optional fallback locale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="the site's slug")
        parser.add_argument("code", help="the locale to enable, e.g. es or pt-BR")
        parser.add_argument("--fallback", help="an enabled locale to fall back to, e.g. en")
        parser.add_argument("--name", help="display name (default: the code)")

    def handle(self, *args, site: str, code: str, fallback=None, name=None, **options) -> None:
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`; create it with `manage.py create_site`.")
        try:
            if locale_code(code, "code") in enabled_locale_codes(found):
                self.stdout.write(f"`{code}` is already enabled on `{site}`; nothing changed.")
                return
            row = site_locale_enable(
                actor=Actor(user=None, site=found, role=Role.OWNER), code=code, name=name, fallback=fallback
            )
        except errors.CmsError as exc:
            raise CommandError(f"Not enabled: {error_text(exc)}") from None
        then = f", falling back to `{row.fallback.code}`" if row.fallback else ""
        self.stdout.write(self.style.SUCCESS(f"Enabled `{row.locale.code}` on `{site}`{then}."))
