"""Webhooks and deliveries in the admin: owners only, saved through the services, redeliver action."""

from __future__ import annotations

from django.urls import reverse

from tests.editor.conftest import logged_in, member
from webhooks.models import Webhook, WebhookDelivery


def test_owner_adds_a_webhook_through_the_services(site):
    owner = logged_in(member(site, "own", "owner"))
    response = owner.post(
        reverse("admin:webhooks_webhook_add"),
        {
            "site": site.pk,
            "name": "Build",
            "url": "http://127.0.0.1:9/hook",
            "events": ["block.published"],
            "block_types": ["page"],
            "locales": "en, fr",
            "is_active": "on",
            "secret": "",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    hook = Webhook.objects.get()
    assert hook.events == ["block.published"] and hook.block_types == ["page"] and hook.locales == ["en", "fr"]
    assert hook.secret.startswith("whsec_")
    # The one page that shows the signing secret: said to be shown once, with a Copy button, never cached.
    page = response.content.decode()
    assert f'<code id="cms-webhook-secret" class="cms-secret">{hook.secret}</code>' in page
    assert "it is shown only this once" in page and 'data-copy="cms-webhook-secret"' in page
    assert "no-store" in response["Cache-Control"]
    assert hook.secret not in owner.get(reverse("admin:webhooks_webhook_change", args=[hook.pk])).content.decode()
    assert owner.get(reverse("admin:webhooks_webhook_changelist")).status_code == 200

    response = owner.post(
        reverse("admin:webhooks_webhook_add"),
        {
            "site": site.pk,
            "url": "ftp://nope",
            "locales": "zz",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "http:// or https://" in page and "not a locale of this site" in page
    assert Webhook.objects.count() == 1


def test_editors_do_not_see_webhooks(site):
    editor = logged_in(member(site, "ed", "editor"))
    assert editor.get(reverse("admin:webhooks_webhook_changelist")).status_code == 403
    assert editor.get(reverse("admin:webhooks_webhookdelivery_changelist")).status_code == 403


def test_delivery_log_and_redeliver_action(site):
    owner = logged_in(member(site, "own", "owner"))
    hook = Webhook.objects.create(site=site, url="http://127.0.0.1:9/", secret="s" * 20)
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event="block.published", body="{}", status="failed", attempts=6, attempt_limit=6
    )
    changelist = reverse("admin:webhooks_webhookdelivery_changelist")
    assert "block.published" in owner.get(changelist).content.decode()
    assert owner.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])).status_code == 200
    response = owner.post(changelist, {"action": "redeliver", "_selected_action": [str(delivery.pk)]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_limit == 12


def test_site_filter_names_only_the_owners_sites(site, other_site):
    member(site, "own", "owner")
    owner = logged_in(member(other_site, "own", "editor"))  # a member of the other site, but not its owner
    Webhook.objects.create(site=site, url="http://127.0.0.1:9/", secret="s" * 20)
    Webhook.objects.create(site=other_site, url="http://127.0.0.1:9/other", secret="s" * 20)

    response = owner.get(reverse("admin:webhooks_webhook_changelist"))

    assert response.status_code == 200
    filters = {
        spec.title: [choice["display"] for choice in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }
    assert filters["site"] == ["All", site.name]
    assert [hook.site_id for hook in response.context["cl"].result_list] == [site.pk]
