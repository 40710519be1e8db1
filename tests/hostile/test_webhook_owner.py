"""Issue 14, item 8: owners can delete a webhook that has deliveries, and deactivating one stops its retries.

- Deleting a webhook deletes its delivery log with it (through `webhooks.services.webhook_delete`), in the
  admin (one or in bulk, by an owner or a superuser; the confirmation counts the log entries) and the API.
  Tasks still queued for those deliveries find nothing to do.
- Deactivating a webhook cancels what it has queued: pending deliveries are marked failed ("cancelled")
  at once, a retry already queued finds the webhook inactive and sends nothing, events recorded before the
  deactivation are logged as cancelled; attempts never grow after it. Redelivering needs an active webhook.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.conftest import build_site
from tests.editor.conftest import logged_in, member
from tests.webhooks.helpers import add_hook, site_with_block
from tests.webhooks.receiver import Receiver
from tests.worker import run_ready_tasks, run_worker_until
from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import CANCELLED_ERROR, attempt_delivery, enqueue_delivery


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def world(transactional_db, settings):
    settings.CMS = {
        **settings.CMS,
        "WEBHOOKS_BACKOFF_SECONDS": 0.2,
        "WEBHOOKS_MAX_ATTEMPTS": 6,
        "WEBHOOKS_TIMEOUT_SECONDS": 2,
    }
    return site_with_block()


def hook_with_log(site, entries: int = 3) -> Webhook:
    hook = Webhook.objects.create(site=site, name="Build", url="http://127.0.0.1:9/hook", secret="s" * 20)
    for status in ["succeeded", "failed", "pending"][:entries]:
        WebhookDelivery.objects.create(webhook=hook, event="block.published", body="{}", status=status)
    return hook


# ---- deleting --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_the_admin_deletes_a_webhook_with_its_delivery_log(world, who):
    site, _, _ = world
    hook = hook_with_log(site)
    other = hook_with_log(site, 1)
    if who == "owner":
        user = member(site, "own", "owner")
    else:
        user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = logged_in(user)
    url = reverse("admin:webhooks_webhook_delete", args=[hook.pk])

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Are you sure" in text and "permission to delete" not in text
    assert "Webhook deliveries: 3" in text

    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Webhook.objects.filter(pk=hook.pk).exists()
    assert not WebhookDelivery.objects.filter(webhook_id=hook.pk).exists()
    assert WebhookDelivery.objects.filter(webhook=other).count() == 1  # another webhook's log is kept


def test_the_admin_bulk_action_deletes_webhooks_with_logs(world):
    site, _, _ = world
    hooks = [hook_with_log(site), hook_with_log(site, 2)]
    client = logged_in(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    changelist = reverse("admin:webhooks_webhook_changelist")
    selected = [str(hook.pk) for hook in hooks]
    confirm = client.post(changelist, {"action": "delete_selected", "_selected_action": selected})
    assert confirm.status_code == 200
    assert "Webhook deliveries: 5" in confirm.content.decode()
    done = client.post(changelist, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert done.status_code == 302
    assert (Webhook.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def test_a_stranger_cannot_delete_another_sites_webhook_in_the_admin(world):
    site, _, _ = world
    hook = hook_with_log(site)
    elsewhere = build_site("globex", ("en",))
    client = logged_in(member(elsewhere, "own", "owner"))
    assert client.post(reverse("admin:webhooks_webhook_delete", args=[hook.pk]), {"post": "yes"}).status_code in (
        302,
        403,
        404,
    )
    assert Webhook.objects.filter(pk=hook.pk).exists() and WebhookDelivery.objects.count() == 3


def test_the_api_deletes_a_webhook_with_its_log_and_queued_sends_find_nothing(world, receiver):
    _, _, api = world
    hook = add_hook(api, receiver.url, events=["block.published"])
    receiver.codes = [500]
    assert api.post("/api/v1/site-blocks/hero/publish").status_code == 200
    run_worker_until(lambda: WebhookDelivery.objects.filter(attempts=1).exists(), timeout=10, interval=0.05)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"  # its retry is queued

    response = api.delete(f"/api/v1/webhooks/{hook['id']}")
    assert response.status_code == 200 and response.json() == {"message": "Webhook deleted"}
    assert (Webhook.objects.count(), WebhookDelivery.objects.count()) == (0, 0)
    enqueue_delivery(delivery.pk)  # and one more, for good measure
    time.sleep(0.5)
    run_ready_tasks()
    assert len(receiver.requests) == 1


# ---- deactivating ----------------------------------------------------------------------------------------------


def failing_once_sent(api, receiver) -> tuple[dict, WebhookDelivery]:
    receiver.codes = [500] * 10
    hook = add_hook(api, receiver.url, events=["block.published"])
    assert api.post("/api/v1/site-blocks/hero/publish").status_code == 200
    run_worker_until(lambda: WebhookDelivery.objects.filter(attempts=1).exists(), timeout=10, interval=0.05)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    return hook, delivery


def settle(seconds: float = 1.5) -> None:
    """Run the worker for longer than several backoffs: any retry still queued would run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_ready_tasks()
        time.sleep(0.1)


def test_deactivating_through_the_api_stops_queued_retries(world, receiver):
    _, _, api = world
    hook, delivery = failing_once_sent(api, receiver)
    response = api.patch(f"/api/v1/webhooks/{hook['id']}", {"isActive": False}, format="json")
    assert response.status_code == 200 and response.json()["data"]["isActive"] is False
    settle()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status, delivery.last_error) == (1, "failed", CANCELLED_ERROR)
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 1
    [entry] = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert entry["status"] == "failed" and entry["attempts"] == 1 and entry["lastError"] == CANCELLED_ERROR


def test_deactivating_in_the_admin_stops_queued_retries(world, receiver):
    site, _, api = world
    hook, delivery = failing_once_sent(api, receiver)
    client = logged_in(member(site, "own", "owner"))
    response = client.post(
        reverse("admin:webhooks_webhook_change", args=[hook["id"]]),
        {"name": "", "url": receiver.url, "events": ["block.published"], "locales": "", "secret": ""},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Webhook.objects.get().is_active is False
    settle()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (1, "failed")
    assert len(receiver.requests) == 1


def test_a_retry_already_queued_when_the_row_is_deactivated_directly_sends_nothing(world, receiver):
    """The retry checks the webhook itself: even a deactivation that bypassed the service cancels it."""
    _, _, api = world
    hook, delivery = failing_once_sent(api, receiver)
    Webhook.objects.filter(pk=hook["id"]).update(is_active=False)
    settle()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status, delivery.last_error) == (1, "failed", CANCELLED_ERROR)
    assert len(receiver.requests) == 1
    assert attempt_delivery(str(delivery.pk)) is None


def test_events_recorded_before_deactivation_are_logged_cancelled_not_sent(world, receiver):
    _, _, api = world
    hook = add_hook(api, receiver.url, events=["block.published"])
    assert api.post("/api/v1/site-blocks/hero/publish").status_code == 200  # recorded, not yet fanned out
    assert api.patch(f"/api/v1/webhooks/{hook['id']}", {"isActive": False}, format="json").status_code == 200
    settle(0.8)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.status, delivery.last_error) == (0, "failed", CANCELLED_ERROR)
    assert receiver.requests == []


def test_redelivering_needs_an_active_webhook_and_reactivating_resumes_nothing_by_itself(world, receiver):
    _, _, api = world
    hook, delivery = failing_once_sent(api, receiver)
    assert api.patch(f"/api/v1/webhooks/{hook['id']}", {"isActive": False}, format="json").status_code == 200
    url = f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery.pk}/redeliver"
    refused = api.post(url)
    assert refused.status_code == 409
    assert refused.json() == {
        "error": {"code": "conflict", "message": "This webhook is inactive: activate it before redelivering."}
    }
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (1, "failed")

    receiver.codes = []
    assert api.patch(f"/api/v1/webhooks/{hook['id']}", {"isActive": True}, format="json").status_code == 200
    settle(0.6)
    assert len(receiver.requests) == 1  # cancelled stays cancelled until redelivered
    assert api.post(url).status_code == 202
    run_worker_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), timeout=10, interval=0.05)
    delivery.refresh_from_db()
    assert (delivery.attempts, len(receiver.requests)) == (2, 2)
