"""Webhook deliveries end to end: a real receiver on loopback, the real worker, signatures, retries, the log."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.webhooks import helpers
from tests.webhooks.helpers import site_with_block
from tests.worker import run_ready_tasks, run_worker_until
from webhooks.models import WebhookDelivery
from webhooks.signing import verify
from webhooks.tasks import STUCK_ERROR, enqueue_watchdog, fan_out_events, recover_stuck, stuck_after


@pytest.fixture
def owner_api(transactional_db, settings):
    settings.CMS = {
        **settings.CMS,
        "WEBHOOKS_BACKOFF_SECONDS": 0.1,
        "WEBHOOKS_MAX_ATTEMPTS": 5,
        "WEBHOOKS_TIMEOUT_SECONDS": 1,
    }
    _, _, api = site_with_block()
    return api


def add_hook(api, url: str, **extra) -> dict:
    """A webhook for `block.published` unless the test names its events."""
    return helpers.add_hook(api, url, **{"events": ["block.published"], **extra})


def test_publish_delivers_one_signed_event(owner_api, receiver):
    hook = add_hook(owner_api, receiver.url)
    assert owner_api.post("/api/v1/site-blocks/hero/publish").status_code == 200
    owner_api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "x"}}, format="json")  # not subscribed

    run_worker_until(lambda: len(receiver.requests) >= 1, timeout=5)
    run_ready_tasks()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hook"
    headers = {key.lower(): value for key, value in request.headers.items()}
    assert verify(hook["secret"], headers["x-cms-timestamp"], request.body, headers["x-cms-signature"])
    assert not verify("wrong-secret-1234567", headers["x-cms-timestamp"], request.body, headers["x-cms-signature"])
    assert not verify(hook["secret"], headers["x-cms-timestamp"], request.body + b" ", headers["x-cms-signature"])
    body = json.loads(request.body)
    assert body["event"] == headers["x-cms-event"] == "block.published"
    assert body["id"] == headers["x-cms-delivery"]
    assert body["site"]["slug"] == "acme"
    assert body["block"]["slug"] == "hero" and body["block"]["status"] == "published"
    assert body["block"]["locale"] == "en" and body["block"]["type"] == "global"
    assert isinstance(body["version"], int) and body["time"].endswith("Z")

    log = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()
    assert log["meta"]["total"] == 1
    [entry] = log["data"]
    assert entry["id"] == body["id"] and entry["status"] == "succeeded"
    assert entry["attempts"] == 1 and entry["responseCode"] == 200 and entry["deliveredAt"]


def test_failing_twice_then_succeeding_gets_three_attempts_with_one_delivery_id(owner_api, receiver):
    receiver.codes = [500, 503]
    hook = add_hook(owner_api, receiver.url)
    owner_api.post("/api/v1/site-blocks/hero/publish")

    run_worker_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), timeout=10, interval=0.05)
    assert len(receiver.requests) == 3
    ids = {request.headers["X-CMS-Delivery"] for request in receiver.requests}
    assert len(ids) == 1
    assert len({request.body for request in receiver.requests}) == 1  # the same bytes each time
    [entry] = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert entry["id"] == ids.pop()
    assert entry["attempts"] == 3 and entry["status"] == "succeeded" and entry["responseCode"] == 200
    assert [attempt["responseCode"] for attempt in entry["attemptLog"]] == [500, 503, 200]
    assert entry["attemptLog"][0]["error"] == "The receiver answered HTTP 500."


def test_gives_up_after_the_configured_attempts_then_redeliver(owner_api, receiver, settings):
    settings.CMS = {**settings.CMS, "WEBHOOKS_MAX_ATTEMPTS": 2}
    receiver.codes = [500, 500, 500]
    hook = add_hook(owner_api, receiver.url)
    owner_api.post("/api/v1/site-blocks/hero/publish")
    run_worker_until(lambda: WebhookDelivery.objects.filter(status="failed").exists(), timeout=10, interval=0.05)
    time.sleep(0.3)
    run_ready_tasks()
    assert len(receiver.requests) == 2  # no retry past the limit
    [entry] = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert entry["status"] == "failed" and entry["attempts"] == 2

    response = owner_api.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{entry['id']}/redeliver")
    assert response.status_code == 202 and response.json()["data"]["status"] == "pending"
    run_worker_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), timeout=10, interval=0.05)
    detail = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{entry['id']}").json()["data"]
    assert detail["attempts"] == 4 and detail["status"] == "succeeded"
    assert detail["body"]["id"] == entry["id"]
    assert {request.headers["X-CMS-Delivery"] for request in receiver.requests} == {entry["id"]}


def test_filters_by_event_block_type_and_locale(owner_api, receiver):
    add_hook(owner_api, receiver.url, events=[], blockTypes=["page"])
    add_hook(owner_api, receiver.url, events=["block.created", "block.published"], locales=["fr"])
    add_hook(owner_api, receiver.url, events=["block.deleted"])
    owner_api.post("/api/v1/site-blocks/hero/publish")  # global, en: none match
    owner_api.post("/api/v1/site-blocks", {"name": "About", "type": "page", "path": "/about"}, format="json")
    owner_api.post("/api/v1/site-blocks?locale=fr", {"name": "Tete", "type": "global"}, format="json")
    owner_api.delete("/api/v1/site-blocks/hero")
    run_worker_until(lambda: len(receiver.requests) >= 3, timeout=5)
    run_ready_tasks()
    events = sorted((json.loads(r.body)["event"], json.loads(r.body)["block"]["slug"]) for r in receiver.requests)
    assert events == [("block.created", "about"), ("block.created", "tete"), ("block.deleted", "hero")]


def test_hanging_receiver_is_never_contacted_by_the_write_and_times_out_in_the_worker(owner_api, receiver):
    receiver.hang = True
    hook = add_hook(owner_api, receiver.url)
    assert owner_api.post("/api/v1/site-blocks/hero/publish").status_code == 200
    assert receiver.connections == 0  # the write answered without any HTTP to the receiver
    assert not WebhookDelivery.objects.exists()  # the write only queued its outbox row
    run_ready_tasks()  # the fan-out, then one attempt: the receiver holds it until the 1 s timeout
    [entry] = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert entry["attempts"] == 1 and entry["status"] == "pending"
    assert entry["lastError"] == "Timed out waiting for the receiver." and entry["nextAttemptAt"]


def test_each_claim_queues_a_watchdog_that_leaves_a_finished_attempt_alone(owner_api, receiver):
    add_hook(owner_api, receiver.url)
    owner_api.post("/api/v1/site-blocks/hero/publish")
    run_ready_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    [dog] = DBTaskResult.objects.filter(task_path="webhooks.tasks.watchdog")
    assert dog.args_kwargs["args"] == [str(delivery.pk), delivery.claimed_at.isoformat()]
    assert dog.run_after == delivery.claimed_at + stuck_after() and dog.status == "READY"  # not due yet
    assert recover_stuck(str(delivery.pk), delivery.claimed_at.isoformat()) is None
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1 and len(receiver.requests) == 1


def test_a_delivery_whose_worker_died_mid_send_is_retried_by_its_watchdog(owner_api, receiver):
    hook = add_hook(owner_api, receiver.url)
    owner_api.post("/api/v1/site-blocks/hero/publish")
    [outbox] = DBTaskResult.objects.filter(task_path="webhooks.tasks.fan_out")
    fan_out_events(outbox.args_kwargs["args"][0])  # the fan-out, by hand: no attempt yet
    DBTaskResult.objects.all().delete()
    # what a worker killed after its claim leaves: `sending`, nothing sent, its watchdog queued (made due now)
    claimed_at = timezone.now() - timedelta(minutes=5)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=claimed_at)
    enqueue_watchdog(delivery.pk, claimed_at, at=timezone.now())

    run_worker_until(lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), timeout=10, interval=0.05)
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-CMS-Delivery"] == str(delivery.pk)  # the same delivery id
    [entry] = owner_api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert entry["attempts"] == 2 and entry["status"] == "succeeded"
    assert [attempt["error"] for attempt in entry["attemptLog"]] == [STUCK_ERROR, None]
