"""`manage.py export_types --site SLUG --lang ts [--out FILE]`: the TypeScript types of a site's delivery
answers (`blocks.typescript`), the same text `GET /api/v1/site-blocks/types.ts` answers, for a build step
that has shell access but no token."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Site
from blocks.typescript import site_types

LANGUAGES = ("ts",)


class Command(BaseCommand):
    help = "Write the TypeScript types of a site's delivery answers (to stdout, or to --out FILE)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True, help="the site's slug")
        parser.add_argument("--lang", required=True, choices=LANGUAGES, help="the language: ts (TypeScript)")
        parser.add_argument("--out", help="write to this file instead of stdout")

    def handle(self, *args, site: str, lang: str, out: str | None = None, **options):
        found = Site.objects.filter(slug=site).first()
        if found is None:
            raise CommandError(f"No site `{site}`.")
        text = site_types(found)
        if out is None:
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote the types of `{site}` to {out}.")
