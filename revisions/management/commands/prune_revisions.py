"""`manage.py prune_revisions [--keep N] [--older-than-days D] [--batch-size B] [--dry-run]`.

Without `--keep`, the count comes from `CMS["REVISIONS_KEEP_PER_BLOCK"]` (0 = keep all). Run it from cron;
it deletes in batches and can be interrupted and re-run safely.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.conf import cms_setting
from revisions.retention import prune_revisions


class Command(BaseCommand):
    help = "Delete old block revisions: beyond the newest N per block, and/or older than D days."

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, help="Revisions to keep per block (default: the setting).")
        parser.add_argument("--older-than-days", type=float, help="Also delete revisions older than this.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args, keep, older_than_days, batch_size, dry_run, **options):
        if keep is None:
            keep = cms_setting("REVISIONS_KEEP_PER_BLOCK") or None
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        if older_than_days is not None and older_than_days < 0:
            raise CommandError("--older-than-days must not be negative.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if keep is None and older_than_days is None:
            raise CommandError("Nothing to prune: give --keep or --older-than-days (or set REVISIONS_KEEP_PER_BLOCK).")
        older_than = timezone.now() - timedelta(days=older_than_days) if older_than_days is not None else None
        result = prune_revisions(keep=keep, older_than=older_than, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {result.total} revisions ({result.by_count} by count, {result.by_age} by age).")
