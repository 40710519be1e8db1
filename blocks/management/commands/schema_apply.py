"""`manage.py schema_apply FILE [--dry-run]`: apply a reviewed schema file (docs/schema-files.md).

Every block of the file gets its schema exactly as `PUT /site-blocks/{slug}/schema` would give it (values
follow their fields by id, types convert, what cannot follow is kept as an orphan and listed; the published
snapshot waits for the next publish), all blocks in one transaction: a problem anywhere writes nothing.
`--dry-run` prints the same report and writes nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from blocks.management.schema_report import read_file, write_report
from blocks.services.schema_files import schema_file_apply
from cms import errors


class Command(BaseCommand):
    help = "Apply the block schemas of a schema file, atomically (--dry-run: report only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the schema file (JSON; `manage.py schema_diff --export` writes one)")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        parser.add_argument("--site", action="append", help="only this site's blocks (repeatable)")
        parser.add_argument("--block", action="append", help="only the block with this slug (repeatable)")
        parser.add_argument("--user", help="username recorded as the author of the revisions")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, file: str, dry_run=False, site=None, block=None, user=None, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user `{user}`.")
        targets = read_file(file, sites=site, blocks=block)
        try:
            reports = schema_file_apply(targets, user=author, dry_run=dry_run)
        except errors.CmsError as exc:  # a concurrent change between reading and writing, say
            raise CommandError(f"Nothing changed: {exc.message}") from None
        write_report(self, reports, as_json=options["json"], dry_run=dry_run)
