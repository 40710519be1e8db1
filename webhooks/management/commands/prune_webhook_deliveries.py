"""`manage.py prune_webhook_deliveries --older-than-days D [--batch-size B] [--dry-run]`.

Run it from cron beside `prune_revisions` and django-tasks-db's `prune_db_task_results` (which removes the
finished task rows of sends and fan-outs): the delivery log otherwise grows with every event.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from webhooks.retention import prune_deliveries


class Command(BaseCommand):
    help = "Delete finished webhook deliveries (succeeded or failed) older than D days; pending ones are kept."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=float, required=True, help="Age of the deliveries to delete.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args, older_than_days, batch_size, dry_run, **options):
        if older_than_days < 0:
            raise CommandError("--older-than-days must not be negative.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        older_than = timezone.now() - timedelta(days=older_than_days)
        count = prune_deliveries(older_than=older_than, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} finished webhook deliveries older than {older_than_days:g} days.")
