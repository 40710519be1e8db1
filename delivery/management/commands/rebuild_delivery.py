"""`manage.py rebuild_delivery [--site SLUG] [--batch-size N]`: render every published answer again.

Run it once after upgrading to a version that stores rendered answers (`delivery.prerender`), after loading
rows without the services (a bulk import, a restored dump), or whenever in doubt: it is idempotent, works in
batches of N blocks (one transaction each, 500 by default) and reports what it stored and removed per site.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Site
from delivery.prerender import rebuild


class Command(BaseCommand):
    help = "Render the delivery answers of every published block again (all sites, or one with --site)."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Only this site (its slug).")
        parser.add_argument("--batch-size", type=int, default=500, help="Blocks per transaction (default 500).")

    def handle(self, *args, site, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        sites = Site.objects.order_by("slug")
        if site is not None:
            sites = sites.filter(slug=site)
            if not sites.exists():
                raise CommandError(f"No site `{site}`.")
        for one in sites:
            started = time.perf_counter()
            counts = rebuild(one, batch_size=batch_size)
            self.stdout.write(
                f"{counts.site}: {counts.blocks} block answers, {counts.pages} page answers "
                f"({counts.dynamic} dynamic, rendered at read time), {counts.removed} removed, "
                f"in {time.perf_counter() - started:.1f}s"
            )
