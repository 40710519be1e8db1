"""Perform every due scheduled publish/unpublish now (catch-up after an outage, or from cron)."""

from django.core.management.base import BaseCommand

from scheduling.performing import perform_due_releases, perform_due_schedules


class Command(BaseCommand):
    help = "Perform every due scheduled publish and unpublish, and every due release, once, then exit."

    def handle(self, *args, **options):
        done = perform_due_schedules()
        released = perform_due_releases()
        self.stdout.write(f"Performed {len(done)} scheduled change(s).")
        if released:
            self.stdout.write(f"Published {sum(1 for _, outcome in released if outcome == 'published')} release(s).")
