"""`manage.py import_site DIR [--site SLUG] [--dry-run]`: apply a bundle to this instance (docs/environments.md).

The site is the bundle's own slug unless `--site` names another; it is created when it does not exist. Prints
what changed (or, with `--dry-run`, would change): one line per created or updated item and the counts per
kind. All or nothing: a refused bundle names each problem at its file and path and changes nothing (exit 1).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bundles.format import read_dir
from bundles.importing import KINDS, import_bundle
from cms import errors
from cms.errors import error_text


class Command(BaseCommand):
    help = "Apply a site bundle (from export_site) to this instance: create or update by stable keys."

    def add_arguments(self, parser) -> None:
        parser.add_argument("dir", help="the bundle's folder")
        parser.add_argument("--site", help="the site to import into (default: the bundle's site slug)")
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")

    def handle(self, *args, dir: str, site: str | None = None, dry_run: bool = False, **options) -> None:
        try:
            report = import_bundle(read_dir(Path(dir)), slug=site, dry_run=dry_run)
        except errors.CmsError as exc:
            raise CommandError(f"Not imported: {error_text(exc)}") from None
        for change in report.changes:
            self.stdout.write(f"{change['outcome']:<8} {change['kind']:<9} {change['key']}")
        verb = "Would change" if dry_run else "Imported into"
        self.stdout.write(f"{verb} `{report.site}`" + (" (dry run: nothing written)" if dry_run else "") + ":")
        for kind in KINDS:
            counts = report.counts[kind]
            self.stdout.write(
                f"  {kind}: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged"
            )
