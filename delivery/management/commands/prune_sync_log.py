"""`manage.py prune_sync_log [--days D] [--dry-run]`: delete the sync feed's tombstones older than D days.

Without `--days`, D is `CMS["SYNC_TOMBSTONE_DAYS"]` (env `CMS_SYNC_TOMBSTONE_DAYS`, 30). Run it from cron, daily;
a client whose cursor is older than the newest tombstone pruned gets 410 `sync_cursor_expired` and syncs in full.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from delivery.changelog import prune


class Command(BaseCommand):
    help = "Delete the sync feed's tombstones (unpublished and deleted blocks) older than the kept days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep tombstones this many days (default: the setting).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args, days, dry_run, **options):
        if days is not None and days < 0:
            raise CommandError("--days must not be negative.")
        pruned = prune(days=days, dry_run=dry_run)
        verb = "Would prune" if dry_run else "Pruned"
        self.stdout.write(f"{verb} {pruned} sync tombstone{'s' if pruned != 1 else ''}.")
