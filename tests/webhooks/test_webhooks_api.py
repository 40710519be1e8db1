"""GET/POST /webhooks, GET/PATCH/DELETE /webhooks/{id}: owners only, validation paths, the SSRF guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_with, issue_token
from webhooks.models import Webhook, WebhookDelivery
from webhooks.targets import is_public
from webhooks.tasks import attempt_delivery


@pytest.fixture
def owner(site, make_client):
    return make_client(role="owner")


def test_create_list_get_patch_delete(owner):
    response = owner.post(
        "/api/v1/webhooks",
        {
            "url": "http://127.0.0.1:9/hook",
            "name": "Rebuild",
            "events": ["block.published", "block.unpublished"],
            "blockTypes": ["page"],
            "locales": ["en", "fr"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()["data"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert created["secretHint"] == created["secret"][:10] + "…"
    assert created["events"] == ["block.published", "block.unpublished"]
    assert created["blockTypes"] == ["page"] and created["locales"] == ["en", "fr"] and created["isActive"]

    listed = owner.get("/api/v1/webhooks").json()
    assert listed["meta"]["total"] == 1 and "secret" not in listed["data"][0]
    url = f"/api/v1/webhooks/{created['id']}"
    assert owner.get(url).json()["data"]["name"] == "Rebuild"

    response = owner.patch(url, {"isActive": False, "events": []}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["isActive"] is False and response.json()["data"]["events"] == []
    assert "secret" not in response.json()["data"]
    response = owner.patch(url, {"secret": "s" * 20}, format="json")
    assert response.json()["data"]["secret"] == "s" * 20  # shown because it was just set

    assert owner.delete(url).json() == {"message": "Webhook deleted"}
    assert owner.get(url).status_code == 404


def test_validation_names_each_path(owner):
    response = owner.post(
        "/api/v1/webhooks",
        {
            "url": "ftp://x",
            "events": ["block.published", "block.exploded"],
            "blockTypes": "page",
            "locales": ["xx"],
            "isActive": "yes",
            "secret": "short",
            "colour": "red",
        },
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"colour": "Unknown field."}
    response = owner.post(
        "/api/v1/webhooks",
        {
            "url": "ftp://x",
            "events": ["block.published", "block.exploded"],
            "blockTypes": "page",
            "locales": ["xx"],
            "isActive": "yes",
            "secret": "short",
        },
        format="json",
    )
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"url", "events[1]", "blockTypes", "locales[0]", "isActive", "secret"}
    assert "http://" in fields["url"]
    assert owner.post("/api/v1/webhooks", {}, format="json").json()["error"]["fields"] == {
        "url": "This field is required."
    }
    assert owner.post("/api/v1/webhooks", [1], format="json").json()["error"]["code"] == "bad_request"


def test_private_targets_refused_unless_allowed(owner, settings):
    settings.CMS = {**settings.CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False}
    for url in [
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://10.1.2.3/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://192.168.0.10/",
        "http://user:pw@example.com/",
    ]:
        response = owner.post("/api/v1/webhooks", {"url": url}, format="json")
        assert response.status_code == 422, url
        assert "url" in response.json()["error"]["fields"], url
    assert Webhook.objects.count() == 0
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")
    assert not any(
        is_public(a)
        for a in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "169.254.1.1",
            "::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
        ]
    )


def test_a_loopback_target_is_refused_naming_the_local_testing_switch(owner, settings):
    """Issue 21: trying webhooks locally was refused without a word of the setting that allows it."""
    settings.CMS = {**settings.CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False}
    response = owner.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9000/hook"}, format="json")
    message = (
        "`127.0.0.1` resolves to a private, loopback or link-local address (127.0.0.1); refused. To try webhooks"
        " on your own machine, set CMS_WEBHOOKS_ALLOW_PRIVATE=true (for local testing only)."
    )
    assert (response.status_code, response.json()) == (
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"url": message},
            }
        },
    )
    assert Webhook.objects.count() == 0


def test_private_target_refused_at_send_time_too(owner, settings):
    response = owner.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, format="json")
    webhook = Webhook.objects.get(pk=response.json()["data"]["id"])
    delivery = WebhookDelivery.objects.create(webhook=webhook, event="block.published", body="{}", attempt_limit=5)
    settings.CMS = {**settings.CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False}  # e.g. DNS now points inside
    assert attempt_delivery(str(delivery.pk)) == "failed"  # refused, and not retried
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "refused" in delivery.last_error
    assert "CMS_WEBHOOKS_ALLOW_PRIVATE=true" in delivery.last_error  # the delivery log says the way out too


def test_owner_role_only_and_site_scoped(site, other_site, make_client, api):
    assert api.get("/api/v1/webhooks").json()["error"]["code"] == "forbidden"  # editor
    assert (
        make_client(role="viewer").post("/api/v1/webhooks", {"url": "http://127.0.0.1/"}, format="json").status_code
        == 403
    )
    other_owner = client_with(issue_token(other_site, username="otto", role="owner")[1])
    hook = other_owner.post("/api/v1/webhooks", {"url": "http://127.0.0.1/"}, format="json").json()["data"]
    owner = make_client(role="owner")
    assert owner.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404
    assert owner.patch(f"/api/v1/webhooks/{hook['id']}", {"name": "x"}, format="json").status_code == 404
    assert owner.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 404
    assert owner.get(f"/api/v1/webhooks/{hook['id']}/deliveries").status_code == 404
    assert owner.get("/api/v1/webhooks/abc").status_code == 404
    assert owner.get(f"/api/v1/webhooks/{hook['id']}/deliveries/not-a-uuid").status_code == 404
    assert owner.get("/api/v1/webhooks").json()["meta"]["total"] == 0
    read_only = make_client(role="owner", scopes=("read",))
    assert read_only.get("/api/v1/webhooks").status_code == 403


def test_redeliver_refuses_an_in_flight_delivery_but_recovers_a_stuck_one(owner):
    hook_id = owner.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/"}, format="json").json()["data"]["id"]
    delivery = WebhookDelivery.objects.create(
        webhook_id=hook_id,
        event="block.published",
        body="{}",
        status="sending",
        claimed_at=timezone.now(),
        attempt_limit=6,
    )
    url = f"/api/v1/webhooks/{hook_id}/deliveries/{delivery.pk}/redeliver"
    assert owner.post(url).json()["error"]["code"] == "conflict"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    response = owner.post(url)
    assert response.status_code == 202 and response.json()["data"]["status"] == "pending"
