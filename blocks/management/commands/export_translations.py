"""`manage.py export_translations <site> --locale fr --format xliff2|xliff|po [-o FILE]`: a site's translation file.

The same file as `GET /api/v1/translations/export` (docs/translators.md, "Exchange with translation tools"):
every block with a copy in the locale, one unit per localized value. Written to stdout without `-o`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Site
from accounts.permissions import Actor
from blocks.selectors import translations_export
from cms import errors


class Command(BaseCommand):
    help = "Export a site's localized values for one target locale as XLIFF 2.1, XLIFF 1.2 or PO."

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="the site's slug")
        parser.add_argument("--locale", required=True, help="the target locale (enabled, not the default)")
        parser.add_argument(
            "--format", dest="fmt", default="xliff", help="`xliff` (1.2, the default), `xliff2` (2.1) or `po`"
        )
        parser.add_argument("-o", "--output", help="write to this file (default: stdout)")

    def handle(self, *args, site: str, locale: str, fmt: str, output: str | None = None, **options):
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`.")
        try:
            content = translations_export(Actor(user=None, site=found, role=Role.OWNER), locale=locale, fmt=fmt)
        except errors.CmsError as exc:
            raise CommandError(errors.error_text(exc)) from None
        if output:
            Path(output).write_bytes(content)
        else:
            self.stdout.write(content.decode(), ending="")
