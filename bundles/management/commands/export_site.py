"""`manage.py export_site SITE DIR [--revisions]`: write a site's bundle into DIR (docs/environments.md).

DIR must be empty or absent: an export is never mixed with an older one. Two exports of the same content are
byte-identical, so DIR can be kept under version control and diffed between environments.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Site
from bundles import format
from bundles.exporting import export_site
from cms import errors
from cms.errors import error_text


class Command(BaseCommand):
    help = "Export a site (settings, locales, assets, blocks, optionally revisions) as a bundle of JSON files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="the site's slug")
        parser.add_argument("dir", help="the folder to write (empty or absent)")
        parser.add_argument("--revisions", action="store_true", help="include each block's history")

    def handle(self, *args, site: str, dir: str, revisions: bool = False, **options) -> None:
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`.")
        try:
            files = export_site(found, revisions=revisions)
            format.write_dir(files, Path(dir))
        except errors.CmsError as exc:
            raise CommandError(f"Not exported: {error_text(exc)}") from None
        blocks = sum(1 for name in files if name.startswith(format.BLOCK_DIR))
        assets = sum(1 for name in files if name.startswith(format.ASSET_DIR))
        self.stdout.write(
            self.style.SUCCESS(f"Exported `{site}` to {dir}: {blocks} blocks, {assets} assets, {len(files)} files.")
        )
