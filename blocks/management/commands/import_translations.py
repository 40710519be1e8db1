"""`manage.py import_translations <site> FILE [--format xliff2|xliff|po] [--dry-run]`: a translated file back in.

The same import as `POST /api/v1/translations/import` (`blocks.services.exchange`): one revision per block
copy written, units whose source changed since the export reported outdated. Prints the counts, then each
invalid unit with its path, and exits non-zero when any unit was invalid.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Site
from accounts.permissions import Actor
from blocks.services.exchange import LISTS, translations_import
from cms import errors

EXTENSIONS = {".po": "po", ".xlf": "xliff", ".xliff": "xliff"}


class Command(BaseCommand):
    help = "Import a translated XLIFF 2.1, XLIFF 1.2 or PO file (from export_translations) into a site's locale copies."

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="the site's slug")
        parser.add_argument("file", help="the translated file")
        parser.add_argument(
            "--format",
            dest="fmt",
            help="`xliff2`, `xliff` or `po` (default: from the file's extension; XLIFF by its version)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        parser.add_argument("--user", help="username recorded as the author of the revisions")

    def handle(self, *args, site: str, file: str, fmt=None, dry_run=False, user=None, **options):
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`.")
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user `{user}`.")
        path = Path(file)
        fmt = fmt or EXTENSIONS.get(path.suffix.lower(), "")
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read `{file}`: {exc}") from None
        actor = Actor(user=author, site=found, role=Role.OWNER)
        try:
            report = translations_import(actor=actor, fmt=fmt, content=content, dry_run=dry_run)
        except errors.CmsError as exc:
            raise CommandError(f"Nothing imported: {errors.error_text(exc)}") from None
        counts = ", ".join(f"{name} {report['counts'][name]}" for name in LISTS)
        self.stdout.write(("Dry run: " if dry_run else "") + f"`{report['locale']}`: {counts}.")
        for unit in report["invalid"]:
            self.stdout.write(f"invalid {unit['id']} ({unit['path']}): {unit['message']}")
        if report["invalid"]:
            raise CommandError(f"{len(report['invalid'])} invalid unit(s): their blocks were not written.")
