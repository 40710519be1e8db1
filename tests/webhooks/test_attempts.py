"""One attempt's limits: an overall deadline however the receiver trickles, and a late outcome that the
watchdog already counted (the attempt outlived `stuck_after`) dropped instead of overwriting the log."""

from __future__ import annotations

import socket
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult

from tests.conftest import build_site
from tests.webhooks.receiver import TricklingReceiver
from webhooks import sending, tasks
from webhooks.models import Webhook, WebhookDelivery

DELIVER = "webhooks.tasks.deliver"


@pytest.fixture
def delivery(db, settings):
    settings.CMS = {**settings.CMS, "WEBHOOKS_TIMEOUT_SECONDS": 1, "WEBHOOKS_MAX_ATTEMPTS": 3}
    hook = Webhook.objects.create(site=build_site(), url="https://example.com/hook", secret="s" * 20)
    return WebhookDelivery.objects.create(webhook=hook, event="block.published", body="{}", attempt_limit=3)


@pytest.fixture
def trickler():
    receivers: list[TricklingReceiver] = []

    def make(head: bytes, trickle: bytes) -> TricklingReceiver:
        receivers.append(TricklingReceiver(head, trickle))
        return receivers[-1]

    yield make
    for receiver in receivers:
        receiver.close()


def point_at(delivery: WebhookDelivery, url: str) -> None:
    Webhook.objects.filter(pk=delivery.webhook_id).update(url=url)


def test_a_receiver_trickling_its_headers_is_cut_at_the_deadline_and_logged_as_a_timeout(delivery, trickler):
    # a header byte every 0.25 s (about 10 s in all): every read is within the 1 s timeout
    receiver = trickler(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"y" * 20 + b"\r\nContent-Length: 0\r\n\r\n")
    point_at(delivery, receiver.url)

    assert tasks.attempt_delivery(str(delivery.pk)) == "pending"

    assert not receiver.finished.is_set()  # the attempt ended before the receiver got its answer out
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.response_code is None
    assert delivery.last_error == "Timed out waiting for the receiver."
    assert [entry["error"] for entry in delivery.attempt_log] == ["Timed out waiting for the receiver."]
    assert DBTaskResult.objects.filter(task_path=DELIVER).count() == 1  # its retry


def test_a_receiver_trickling_its_body_after_a_2xx_status_has_answered(delivery, trickler):
    receiver = trickler(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n", b"z" * 40)
    point_at(delivery, receiver.url)

    assert tasks.attempt_delivery(str(delivery.pk)) == "succeeded"

    assert not receiver.finished.is_set()  # the body was not waited for past the deadline
    delivery.refresh_from_db()
    assert delivery.response_code == 200 and delivery.attempts == 1 and delivery.last_error == ""


def test_the_deadline_covers_sending_the_body_too(delivery):
    # a receiver that accepts but never reads: a large body fills the socket buffers, sendall then blocks
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        port = server.getsockname()[1]
        with pytest.raises(TimeoutError):
            sending.post(f"http://127.0.0.1:{port}/", b"x" * (32 * 1024 * 1024), {}, timeout=1)
    finally:
        server.close()


def _late(delivery: WebhookDelivery, first_outcome: int, retry_outcome: int) -> tuple[list[int], object]:
    """Run an attempt whose send outlives `stuck_after`: while it is open, its watchdog fires and the retry it
    queued runs (as the worker would: the task row taken off the queue); then the first send ends."""
    calls: list[int] = []
    seen: dict = {}

    def slow_post(url, body, headers, *, timeout):
        calls.append(1)
        if len(calls) == 1:
            claimed_at = WebhookDelivery.objects.get(pk=delivery.pk).claimed_at
            tasks.recover_stuck(str(delivery.pk), claimed_at.isoformat())
            [retry] = DBTaskResult.objects.filter(task_path=DELIVER)
            retry.delete()  # the worker takes it
            tasks.attempt_delivery(str(delivery.pk))
            seen["tasks"] = sorted(DBTaskResult.objects.filter(task_path=DELIVER).values_list("id", flat=True))
            return first_outcome
        return retry_outcome

    with mock.patch.object(sending, "post", slow_post):
        result = tasks.attempt_delivery(str(delivery.pk))
    assert sorted(DBTaskResult.objects.filter(task_path=DELIVER).values_list("id", flat=True)) == seen["tasks"]
    return calls, result


@pytest.mark.parametrize("first_outcome", [500, 200])
def test_an_attempt_ending_after_its_watchdog_counted_it_changes_nothing(delivery, first_outcome):
    calls, result = _late(delivery, first_outcome, retry_outcome=500)

    assert result is None  # the late outcome was dropped: the late finish queued nothing either
    delivery.refresh_from_db()
    assert len(calls) == 2
    assert delivery.attempts == len(delivery.attempt_log) == 2
    errors = [entry["error"] for entry in delivery.attempt_log]
    assert errors == [tasks.STUCK_ERROR, "The receiver answered HTTP 500."]
    assert delivery.status == "pending" and delivery.response_code == 500
    [retry] = DBTaskResult.objects.filter(task_path=DELIVER)  # exactly one retry: the second attempt's
    assert retry.run_after == delivery.next_attempt_at


def test_a_late_outcome_after_the_budget_ran_out_leaves_the_delivery_failed(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_limit=1)
    calls: list[int] = []

    def slow_post(url, body, headers, *, timeout):
        calls.append(1)
        claimed_at = WebhookDelivery.objects.get(pk=delivery.pk).claimed_at
        assert tasks.recover_stuck(str(delivery.pk), claimed_at.isoformat()) == "failed"
        return 200

    with mock.patch.object(sending, "post", slow_post):
        assert tasks.attempt_delivery(str(delivery.pk)) is None
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert [entry["error"] for entry in delivery.attempt_log] == [tasks.STUCK_ERROR]
    assert not DBTaskResult.objects.filter(task_path=DELIVER).exists()
