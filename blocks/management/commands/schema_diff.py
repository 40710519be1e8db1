"""`manage.py schema_diff`: compare the stored schemas with a schema file, or export them as one.

    manage.py schema_diff --export [--site acme] [--block promo] [-o schemas.json]
    manage.py schema_diff schemas.json [--site acme] [--block promo] [--json] [--check]

The comparison is the dry run of `schema_apply` (docs/schema-files.md): per block, what each field would
undergo and, per locale copy, which values would move, convert, fail to convert or become orphans. Nothing is
written. `--check` exits with status 1 when any block differs (for CI: "is this database in step with git").
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Site
from blocks.management.schema_report import read_file, write_report
from blocks.services.schema_files import export_schemas, schema_file_apply


class Command(BaseCommand):
    help = "Compare stored block schemas with a schema file (a dry run), or export them as one (--export)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="the schema file to compare with (JSON)")
        parser.add_argument("--export", action="store_true", help="write the current schemas as a schema file")
        parser.add_argument("-o", "--output", help="with --export: the file to write (default: standard output)")
        parser.add_argument("--site", action="append", help="only this site's blocks (repeatable)")
        parser.add_argument("--block", action="append", help="only the block with this slug (repeatable)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--check", action="store_true", help="exit with status 1 when a block differs")

    def handle(self, *args, file=None, export=False, output=None, site=None, block=None, **options):
        if export:
            if file:
                raise CommandError("--export writes the current schemas; give no file to compare with (use -o).")
            self._export(site, block, output)
            return
        if not file:
            raise CommandError("Give a schema file to compare with, or --export.")
        targets = read_file(file, sites=site, blocks=block)
        reports = schema_file_apply(targets, dry_run=True)
        write_report(self, reports, as_json=options["json"], dry_run=True)
        if options["check"] and any(report["changed"] for report in reports):
            raise CommandError("Some blocks differ from the file.", returncode=1)

    def _export(self, sites: list[str] | None, blocks: list[str] | None, output: str | None) -> None:
        query = Site.objects.order_by("slug")
        if sites:
            query = query.filter(slug__in=sites)
            missing = sorted(set(sites) - set(query.values_list("slug", flat=True)))
            if missing:
                raise CommandError("No site " + ", ".join(f"`{slug}`" for slug in missing) + ".")
        text = json.dumps(export_schemas(list(query), blocks=blocks), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
