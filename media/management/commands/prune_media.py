"""`manage.py prune_media [--older-than-minutes 60] [--dry-run]`: remove the files in the media storage that no
asset holds any more (a deleted site's, or those an unreachable store kept after a delete), see
`media.pruning`. One line per file, then a count; `--dry-run` lists without removing."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from cms import errors
from cms.errors import error_text
from media import pruning


class Command(BaseCommand):
    help = "Remove files of the media storage that no asset holds (deleted sites, failed removals)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="Keep files younger than this: an upload in progress writes its file before its row (0: none).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List what would go, remove nothing.")

    def handle(self, *args, **options) -> None:
        if options["older_than_minutes"] < 0:
            raise CommandError("--older-than-minutes must be 0 or more.")
        grace = timedelta(minutes=options["older_than_minutes"])
        try:
            names = pruning.prune(grace=grace, dry_run=options["dry_run"])
        except errors.CmsError as error:
            raise CommandError(error_text(error)) from error
        verb = "would remove" if options["dry_run"] else "removed"
        for name in names:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{len(names)} file(s) {verb}.")
