"""`manage.py prune_sync_log [--days D]`: delete the sync feed's tombstones older than D days.

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

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            raise CommandError("--days must not be negative.")
        pruned = prune(days=days)
        self.stdout.write(f"Pruned {pruned} sync tombstone{'s' if pruned != 1 else ''}.")
