"""`manage.py rebuild_search [--site SLUG]`: write every search document again from the published snapshots.

Documents are kept up to date by every write (`delivery.search.record_block_events`); run this after loading
blocks by other means (a database restore, SQL), or after a change of the language rules (`delivery.search`).
The sites' delivery answers are invalidated afterwards, so searches see the new documents at once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Site
from delivery import cache, search


class Command(BaseCommand):
    help = "Write the full-text search documents of every published block again (of one site, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Only this site (its slug).")

    def handle(self, *args, site, **options):
        sites = Site.objects.order_by("pk")
        if site is not None:
            sites = sites.filter(slug=site)
            if not sites.exists():
                raise CommandError(f"No site `{site}`.")
        total = 0
        for one in sites:
            with transaction.atomic():
                total += search.rebuild(one.pk)
            cache.bump(one.slug)
        if site is None:  # documents of sites that no longer exist (none, unless rows were removed by SQL)
            search.SearchDocument.objects.exclude(site_id__in=Site.objects.values("pk")).delete()
        self.stdout.write(f"Indexed {total} published block{'s' if total != 1 else ''}.")
