"""`manage.py create_site <slug> --name "Name" --locales en,fr,es --default-locale en [--timezone Europe/Paris]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cms import errors
from cms.errors import error_text
from locales.sites import site_create


class Command(BaseCommand):
    help = "Create a site with its enabled locales and default locale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="URL name of the site, e.g. `acme` (used by the delivery API).")
        parser.add_argument("--name", help="Display name (default: the slug, capitalised).")
        parser.add_argument("--locales", default="", help="Comma list of locale codes, e.g. en,fr,es.")
        parser.add_argument("--default-locale", dest="default_locale", help="Default locale (default: the first).")
        parser.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Paris (default UTC).")

    def handle(self, *args, **options) -> None:
        locales = [code.strip() for code in options["locales"].split(",") if code.strip()]
        default = options["default_locale"] or (locales[0] if locales else "en")
        if not locales:
            locales = [default]
        try:
            site = site_create(
                slug=options["slug"],
                name=options["name"] or options["slug"].replace("-", " ").title(),
                locales=locales,
                default_locale=default,
                timezone_name=options["timezone"],
            )
        except errors.CmsError as error:
            raise CommandError(error_text(error)) from None
        self.stdout.write(
            f"Site `{site.slug}` created: locales {', '.join(locales)} (default {site.default_locale}), "
            f"time zone {site.timezone}."
        )
