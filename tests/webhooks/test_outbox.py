"""The webhooks' transactional outbox: what a block write records, in its own transaction, and the fan-out.

A write records at most ONE row for webhooks (a queued `fan_out` task), inside its transaction: a rollback
leaves nothing, a commit leaves exactly the events the site's webhooks want; the worker turns it into the
deliveries of the log. The query counts show what a webhook costs a write: one insert, whatever the number of
webhooks and events.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from accounts.permissions import Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services.content import block_update_data
from blocks.services.translation import site_copy_to_locale
from tests.conftest import build_site, client_with, issue_token
from tests.webhooks.helpers import SCHEMA, add_hook, site_with_block
from tests.worker import run_ready_tasks
from webhooks.models import Webhook, WebhookDelivery
from webhooks.outbox import forget_active_hooks
from webhooks.tasks import fan_out_events

FAN_OUT = "webhooks.tasks.fan_out"
DELIVER = "webhooks.tasks.deliver"


@pytest.fixture
def owner(transactional_db):
    site, user, api = site_with_block()
    return api, Actor(user=user, site=site, role="owner")


def queued(task_path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_path))


def write(api, title: str):
    response = api.put("/api/v1/site-blocks/hero/data?publish=true", {"data": {"title": title}}, format="json")
    assert response.status_code == 200, response.json()
    return response


def test_a_write_that_rolls_back_records_and_sends_nothing(owner, receiver):
    api, actor = owner
    add_hook(api, receiver.url)
    DBTaskResult.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        block_update_data(
            actor=actor,
            block=SiteBlock.objects.get(slug="hero"),
            data={"title": "x"},
            expected_version=None,
            publish=True,
        )
        assert len(queued(FAN_OUT)) == 1  # recorded inside the write's transaction...
        raise RuntimeError("the write fails after emitting its events")
    assert not DBTaskResult.objects.exists()  # ...and gone with its rollback
    run_ready_tasks()
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


HEARD: list[str] = []


def remember(event) -> None:
    HEARD.append(event.event)


def test_events_emitted_together_are_one_row_and_a_block_that_raises_drops_its_events(owner, receiver, subscribe):
    api, _ = owner
    add_hook(api, receiver.url)
    subscribe(events.committed, remember)
    block = SiteBlock.objects.get(slug="hero")
    DBTaskResult.objects.all().delete()
    HEARD.clear()
    with transaction.atomic():
        with events.together():
            events.emit("block.updated", block)
            events.emit("block.published", block)
        assert HEARD == []  # listeners wait for the commit
    [row] = queued(FAN_OUT)
    assert [event["event"] for event in row.args_kwargs["args"][0]] == ["block.updated", "block.published"]
    assert HEARD == ["block.updated", "block.published"]

    DBTaskResult.objects.all().delete()
    HEARD.clear()
    with transaction.atomic():
        try:
            with events.together():
                events.emit("block.updated", block)
                raise ValueError("the change failed half way")
        except ValueError:
            pass
    assert not DBTaskResult.objects.exists() and HEARD == []


def test_a_committed_write_gets_exactly_its_deliveries_in_event_order(owner, receiver):
    api, _ = owner
    every = add_hook(api, receiver.url)
    published_only = add_hook(api, receiver.url, events=["block.published"])
    add_hook(api, receiver.url, events=["block.deleted"])  # wants neither event
    add_hook(api, receiver.url, isActive=False)
    DBTaskResult.objects.all().delete()

    write(api, "launch")
    [row] = queued(FAN_OUT)  # one outbox row for the write's two events
    assert [event["event"] for event in row.args_kwargs["args"][0]] == ["block.updated", "block.published"]
    assert not WebhookDelivery.objects.exists()  # nothing before the worker

    run_ready_tasks()  # the fan-out, then the three deliveries
    sent = sorted((json.loads(r.body)["event"], r.headers["X-CMS-Delivery"]) for r in receiver.requests)
    deliveries = {str(d.pk): d for d in WebhookDelivery.objects.all()}
    assert len(sent) == 3 and {delivery_id for _, delivery_id in sent} == set(deliveries)
    by_hook = {
        hook_id: api.get(f"/api/v1/webhooks/{hook_id}/deliveries").json()["data"]
        for hook_id in (every["id"], published_only["id"])
    }
    # the log, newest first: published after updated, as the write emitted them
    assert [entry["event"] for entry in by_hook[every["id"]]] == ["block.published", "block.updated"]
    assert [entry["event"] for entry in by_hook[published_only["id"]]] == ["block.published"]
    assert all(entry["status"] == "succeeded" and entry["attempts"] == 1 for log in by_hook.values() for entry in log)
    for delivery in deliveries.values():
        body = json.loads(delivery.body)
        assert body["id"] == str(delivery.pk) and body["event"] == delivery.event
        assert body["block"]["slug"] == "hero" and body["site"]["slug"] == "acme"
    assert len(queued(DELIVER)) == 3


def test_a_webhook_costs_a_write_one_insert_whatever_the_number_of_webhooks(owner, receiver):
    api, _ = owner

    def write_queries(title: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            write(api, title)
        return [query["sql"] for query in captured.captured_queries]

    write(api, "warm")
    without = write_queries("a")
    assert sum("webhooks_webhook" in sql for sql in without) == 1  # one read of the site's active webhooks
    assert not any("dbtaskresult" in sql.lower() for sql in without)

    add_hook(api, receiver.url)
    one = write_queries("b")
    for _ in range(4):
        add_hook(api, receiver.url)
    five = write_queries("c")
    assert len(one) == len(five) == len(without) + 1
    assert sum(sql.startswith("INSERT") and "dbtaskresult" in sql.lower() for sql in five) == 1
    assert not any("webhookdelivery" in sql.lower() for sql in five)


def test_a_site_with_webhooks_records_nothing_for_another_site(owner, receiver):
    api, _ = owner
    add_hook(api, receiver.url)
    other = build_site("other")
    _, secret = issue_token(other, username="oscar", role="owner")
    other_api = client_with(secret)
    assert (
        other_api.post(
            "/api/v1/site-blocks",
            {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"title": "x"}},
            format="json",
        ).status_code
        == 201
    )
    DBTaskResult.objects.all().delete()
    write(other_api, "elsewhere")
    assert not DBTaskResult.objects.exists()


def test_fan_out_twice_creates_each_delivery_once_and_skips_deleted_webhooks(owner, receiver):
    api, _ = owner
    kept = add_hook(api, receiver.url)
    dropped = add_hook(api, receiver.url)
    DBTaskResult.objects.all().delete()
    write(api, "x")
    [row] = queued(FAN_OUT)
    Webhook.objects.filter(pk=dropped["id"]).delete()
    records = row.args_kwargs["args"][0]
    assert fan_out_events(records) == 2  # updated + published for the webhook that is left
    assert fan_out_events(records) == 0  # the ids come from the outbox row: a second run adds nothing
    assert set(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == {kept["id"]}
    assert len(queued(DELIVER)) == 2


def one_write(do) -> list[tuple[str, str]]:
    """Run a write; assert it recorded ONE outbox row; fan it out and check its deliveries; its events."""
    DBTaskResult.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    do()
    [row] = queued(FAN_OUT)
    records = row.args_kwargs["args"][0]
    fan_out_events(records)
    # what recording each event alone gave: one delivery per event for the catch-all hook, and one more
    # for the French hook per French event
    hooks = {hook.name: hook.pk for hook in Webhook.objects.all()}
    expected = sorted(
        (hook_pk, record["event"], record["block"]["id"])
        for record in records
        for hook_pk in [hooks["all"]] + ([hooks["fr"]] if record["block"]["locale"] == "fr" else [])
    )
    assert (
        sorted((d.webhook_id, d.event, json.loads(d.body)["block"]["id"]) for d in WebhookDelivery.objects.all())
        == expected
    )
    return [(record["event"], record["block"]["locale"]) for record in records]


def test_writes_that_reach_every_locale_copy_record_one_row_with_all_their_events(owner, receiver):
    api, _ = owner
    for locale in ("fr", "es"):
        assert api.post("/api/v1/site-blocks/hero/copy-to-locale", {"locale": locale}, format="json").status_code == 200
    created = api.get("/api/v1/site-blocks/hero/revisions").json()["data"][-1]["number"]
    add_hook(api, receiver.url, name="all")
    add_hook(api, receiver.url, name="fr", locales=["fr"])
    counted = [*SCHEMA, {"name": "count", "type": "number"}]

    def replace_schema():
        assert api.put("/api/v1/site-blocks/hero/schema", {"schema": counted}, format="json").status_code == 200

    assert one_write(replace_schema) == [
        ("block.schema_updated", "en"),
        ("block.schema_updated", "fr"),
        ("block.schema_updated", "es"),
    ]

    def count_in_source():  # a shared value: carried into every copy by the same write
        counts = {"data": {"title": "Hi", "count": 3}}
        assert api.put("/api/v1/site-blocks/hero/data", counts, format="json").status_code == 200

    assert one_write(count_in_source) == [("block.updated", "en"), ("block.updated", "fr"), ("block.updated", "es")]

    SiteBlock.objects.filter(locale="es").update(data={"title": "Hi", "count": 4})  # diverged before this rule

    def sync():
        assert api.post("/api/v1/site-blocks/hero/sync-shared-fields", format="json").status_code == 200

    assert one_write(sync) == [("block.updated", "es")]

    def restore():
        response = api.post(f"/api/v1/site-blocks/hero/revisions/{created}/restore?restoreSchema=true")
        assert response.status_code == 200, response.json()
        assert response.json()["meta"]["schemaAlsoRestoredIn"] == ["fr", "es"]

    assert one_write(restore) == [
        ("block.restored", "en"),
        ("block.schema_updated", "fr"),
        ("block.schema_updated", "es"),
    ]


def test_copying_a_site_to_a_locale_records_one_row(owner, receiver):
    api, actor = owner
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "About", "type": "global", "schema": SCHEMA, "data": {"title": "Us"}},
        format="json",
    )
    assert created.status_code == 201
    assert api.post("/api/v1/site-blocks/hero/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    # The French copy differs, so overwriting it is a write (an identical copy would be a no-op, no event).
    changed = api.put("/api/v1/site-blocks/hero/data?locale=fr", {"data": {"title": "Salut"}}, format="json")
    assert changed.status_code == 200
    add_hook(api, receiver.url, name="all")
    add_hook(api, receiver.url, name="fr", locales=["fr"])

    assert one_write(lambda: site_copy_to_locale(actor=actor, locale="fr", overwrite=True)) == [
        ("block.copied", "fr"),
        ("block.copied", "fr"),
    ]


def test_a_webhook_written_in_the_same_transaction_as_block_writes_is_seen_by_the_next_one(db):
    # `db`: the whole test is one transaction, so the recorder's once-per-transaction read of the site's
    # active webhooks would otherwise be the one made before any webhook existed
    site, _, api = site_with_block()
    assert not queued(FAN_OUT)  # no webhook yet: this read found none

    def rows_after_a_write(title: str) -> int:
        DBTaskResult.objects.all().delete()
        assert api.put("/api/v1/site-blocks/hero/data", {"data": {"title": title}}, format="json").status_code == 200
        return len(queued(FAN_OUT))

    hook = add_hook(api, "http://127.0.0.1:9/hook")  # the service (loopback: tests allow private targets)
    assert rows_after_a_write("a") == 1
    assert api.patch(f"/api/v1/webhooks/{hook['id']}", {"isActive": False}, format="json").status_code == 200
    assert rows_after_a_write("b") == 0
    # the ORM, outside the services (no `save()` side effect): whoever writes a webhook drops the outbox's read
    other = Webhook.objects.create(site=site, url="https://example.com/other", secret="s" * 20)
    forget_active_hooks(site.pk)
    assert rows_after_a_write("c") == 1
    assert api.delete(f"/api/v1/webhooks/{other.pk}").status_code == 200
    assert rows_after_a_write("d") == 0
