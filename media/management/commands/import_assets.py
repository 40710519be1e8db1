"""`manage.py import_assets DIR --site acme [--tag logos] [--duplicate]`: every file under DIR into a site's
media library, through the same service (and the same checks and limits) as an upload through the API.

Each file is reported on its own line (`created`, `exists` for bytes already in the library, or `refused` with
the reason); the command goes on past refusals and exits with status 1 when any file was refused, so a script
notices. Hidden files (a name starting with `.`) are skipped.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Site
from accounts.permissions import Actor
from cms import errors
from cms.errors import error_text
from media import services


class Command(BaseCommand):
    help = "Import every file under a folder into a site's media library."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="The folder to import (its sub-folders too).")
        parser.add_argument("--site", required=True, help="The site's slug.")
        parser.add_argument("--tag", action="append", default=[], help="A tag for every file (repeatable).")
        parser.add_argument("--duplicate", action="store_true", help="Store bytes already in the library again.")

    def handle(self, *args, **options) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site `{options['site']}`.")
        actor = Actor(user=None, site=site, role=Role.OWNER)
        values: services.AssetValues = {"tags": options["tag"]} if options["tag"] else {}
        counts = {"created": 0, "exists": 0, "refused": 0}
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            upload = services.Upload(path.read_bytes(), path.name)
            try:
                asset, created = services.asset_upload(
                    actor=actor, upload=upload, values=values, duplicate=options["duplicate"]
                )
            except errors.CmsError as error:
                counts["refused"] += 1
                self.stdout.write(f"refused  {path.relative_to(folder)}: {error_text(error)}")
                continue
            outcome = "created" if created else "exists"
            counts[outcome] += 1
            self.stdout.write(f"{outcome:<8} {path.relative_to(folder)} -> asset {asset.pk} ({asset.mime_type})")
        self.stdout.write(", ".join(f"{count} {outcome}" for outcome, count in counts.items()) + ".")
        if counts["refused"]:
            raise SystemExit(1)
