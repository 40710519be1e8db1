"""`release.published` and `release.rolled_back` through HTTP: one signed delivery per release write (not per
block), naming the release, its site and every item with its block, locale, action and version; filters by
event, block type and locale; nothing for a publish that fails."""

from __future__ import annotations

import json

import pytest

from tests.webhooks import helpers
from tests.webhooks.helpers import site_with_block
from tests.worker import run_ready_tasks, run_worker_until
from webhooks.signing import verify


@pytest.fixture
def owner_api(transactional_db, settings):
    settings.CMS = {**settings.CMS, "WEBHOOKS_BACKOFF_SECONDS": 0.1, "WEBHOOKS_TIMEOUT_SECONDS": 1}
    _, _, api = site_with_block()
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Footer", "type": "global", "schema": helpers.SCHEMA, "data": {"title": "Bye"}},
        format="json",
    )
    assert response.status_code == 201
    assert api.post("/api/v1/site-blocks/footer/publish").status_code == 200
    return api


def release_of(api, *items: tuple[str, str]) -> int:
    release = api.post("/api/v1/releases", {"name": "Launch"}, format="json").json()["data"]["id"]
    for slug, action in items:
        response = api.post(f"/api/v1/releases/{release}/items", {"slug": slug, "action": action}, format="json")
        assert response.status_code == 201, response.content
    return release


def bodies(receiver) -> list[tuple[dict, dict]]:
    return [
        (json.loads(request.body), {key.lower(): value for key, value in request.headers.items()})
        for request in receiver.requests
    ]


def test_publish_and_rollback_each_deliver_one_signed_release_event(owner_api, receiver):
    hook = helpers.add_hook(owner_api, receiver.url, events=["release.published", "release.rolled_back"])
    release = release_of(owner_api, ("hero", "publish"), ("footer", "unpublish"))

    assert owner_api.post(f"/api/v1/releases/{release}/publish", {}, format="json").status_code == 200
    run_worker_until(lambda: len(receiver.requests) >= 1, timeout=5)
    assert owner_api.post(f"/api/v1/releases/{release}/rollback", {}, format="json").status_code == 200
    run_worker_until(lambda: len(receiver.requests) >= 2, timeout=5)
    run_ready_tasks()

    assert len(receiver.requests) == 2  # one per release write, not one per block
    (published, headers), (rolled_back, headers2) = sorted(bodies(receiver), key=lambda pair: pair[0]["time"])
    for body, sent, request in ((published, headers, receiver.requests[0]), (rolled_back, headers2, None)):
        raw = request.body if request else next(r.body for r in receiver.requests if json.loads(r.body) == body)
        assert verify(hook["secret"], sent["x-cms-timestamp"], raw, sent["x-cms-signature"])
        assert body["event"] == sent["x-cms-event"] and body["id"] == sent["x-cms-delivery"]
    assert published["event"] == "release.published"
    assert published["site"]["slug"] == "acme"
    assert published["release"]["id"] == release and published["release"]["name"] == "Launch"
    hero, footer = published["items"]
    assert hero["block"]["slug"] == "hero" and hero["block"]["locale"] == "en" and hero["block"]["type"] == "global"
    assert hero["action"] == "publish" and hero["block"]["status"] == "published"
    assert footer["action"] == "unpublish" and footer["block"]["status"] == "draft"
    assert isinstance(hero["version"], int) and isinstance(hero["block"]["id"], int)
    assert rolled_back["event"] == "release.rolled_back"
    assert [item["block"]["status"] for item in rolled_back["items"]] == ["draft", "published"]
    assert rolled_back["items"][0]["version"] > hero["version"]  # the rollback wrote a new revision


def test_a_failed_publish_announces_nothing_and_filters_apply(owner_api, receiver):
    helpers.add_hook(owner_api, receiver.url, events=["release.published"], locales=["fr"])  # no fr item
    helpers.add_hook(owner_api, receiver.url, events=["block.published"])  # block events only
    wants = helpers.add_hook(owner_api, receiver.url, events=["release.published"], blockTypes=["global"])
    release = release_of(owner_api, ("hero", "publish"))
    owner_api.put("/api/v1/site-blocks/hero/data", {"data": {"title": ""}}, format="json")
    owner_api.post(f"/api/v1/releases/{release}/items", {"slug": "hero"}, format="json")

    refused = owner_api.post(f"/api/v1/releases/{release}/publish", {}, format="json")
    assert refused.status_code == 422
    run_ready_tasks()
    assert receiver.requests == []

    owner_api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Fixed"}}, format="json")
    owner_api.post(f"/api/v1/releases/{release}/items", {"slug": "hero"}, format="json")
    assert owner_api.post(f"/api/v1/releases/{release}/publish", {}, format="json").status_code == 200
    run_worker_until(lambda: len(receiver.requests) >= 2, timeout=5)
    run_ready_tasks()
    events = sorted(json.loads(request.body)["event"] for request in receiver.requests)
    assert events == ["block.published", "release.published"]
    log = owner_api.get(f"/api/v1/webhooks/{wants['id']}/deliveries").json()
    assert [entry["event"] for entry in log["data"]] == ["release.published"]


def test_release_events_are_offered_and_unknown_events_refused(owner_api, receiver):
    response = owner_api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["release.launched"]}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "events[0]": "`release.launched` is not an event: one of block.copied, block.created, block.deleted, "
        "block.publish_failed, block.published, block.restored, block.schema_updated, block.unpublished, "
        "block.updated, release.published, release.rolled_back, review.approved, review.changes_requested, "
        "review.requested."
    }
