"""`manage.py copy_site_to_locale <site> <locale>`: every block of a site copied into a new locale at once.

The copies are drafts, made in one transaction (all or none), each with its revision and translation
fingerprints, exactly as `POST /site-blocks/{slug}/copy-to-locale` would make them one by one.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Site
from accounts.permissions import Actor
from blocks.services import site_copy_to_locale
from cms import errors


class Command(BaseCommand):
    help = "Copy every block of a site (default locale, or --from) into another enabled locale, as drafts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="the site's slug")
        parser.add_argument("locale", help="the target locale (enabled on the site)")
        parser.add_argument("--from", dest="source_locale", help="copy from this locale (default: site default)")
        parser.add_argument("--overwrite", action="store_true", help="replace copies that already exist")
        parser.add_argument("--user", help="username recorded as the author of the revisions")

    def handle(self, *args, site: str, locale: str, source_locale=None, overwrite=False, user=None, **options):
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`.")
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user `{user}`.")
        actor = Actor(user=author, site=found, role=Role.OWNER)
        try:
            created, overwritten, skipped = site_copy_to_locale(
                actor=actor, locale=locale, source_locale=source_locale, overwrite=overwrite
            )
        except errors.CmsError as exc:
            details = "; ".join(f"{key}: {value}" for key, value in (exc.fields or {}).items())
            raise CommandError(f"Nothing copied: {exc.message}" + (f" ({details})" if details else "")) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied into `{locale}`: {created} created, {overwritten} overwritten, {skipped} skipped."
            )
        )
