"""`prune_webhook_deliveries`: finished deliveries older than the cut-off go, in batches; owed ones stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(site):
    hook = Webhook.objects.create(site=site, url="http://127.0.0.1:9/", secret="s" * 20)
    now = timezone.now()

    def delivery(status: str, days_old: float) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            webhook=hook, event="block.published", body="{}", status=status, created_at=now - timedelta(days=days_old)
        )

    return {
        "old_ok": [delivery("succeeded", 40) for _ in range(5)],
        "old_failed": delivery("failed", 40),
        "old_pending": delivery("pending", 40),
        "old_sending": delivery("sending", 40),
        "new_ok": delivery("succeeded", 1),
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("prune_webhook_deliveries", *args, stdout=out)
    return out.getvalue()


def test_finished_old_deliveries_go_in_batches_and_owed_ones_stay(log, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # 3 batches of 2 (a read, a delete) + the last empty read
        assert "Deleted 6 finished" in run("--older-than-days", "30", "--batch-size", "2")

    left = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert left == {log["old_pending"].pk, log["old_sending"].pk, log["new_ok"].pk}


def test_dry_run_counts_and_deletes_nothing(log):
    assert "Would delete 6 finished" in run("--older-than-days", "30", "--dry-run")
    assert WebhookDelivery.objects.count() == 9


@pytest.mark.parametrize("args", [("--older-than-days", "-1"), ("--older-than-days", "1", "--batch-size", "0")])
def test_bad_arguments_are_refused(db, args):
    with pytest.raises(CommandError):
        run(*args)


def test_the_task_rows_command_the_readme_names_prunes_old_finished_sends(db):
    # README: finished task rows are pruned by django-tasks-db's own command, with these arguments.

    now = timezone.now()
    ages = {"old": 10, "recent": 1}
    rows = {name: deliver.enqueue(f"delivery-{name}").id for name in ages}
    for name, days in ages.items():
        DBTaskResult.objects.filter(pk=rows[name]).update(
            status=TaskResultStatus.SUCCESSFUL,
            started_at=now - timedelta(days=days),
            finished_at=now - timedelta(days=days),
        )
    queued = deliver.enqueue("delivery-queued").id

    call_command("prune_db_task_results", "--min-age-days", "7", stdout=StringIO())

    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {rows["recent"], queued}
