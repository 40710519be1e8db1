"""Review before publish through HTTP (reviews/, docs/reviews.md): on a site that turns it on, only a state a
reviewer approved goes live, by hand, in a release or on schedule; a change after approval needs a new one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Membership, Site
from blocks.models import SiteBlock
from releases.models import Release
from reviews.models import Review
from scheduling.performing import perform_due_releases, perform_due_schedules
from tests.conftest import client_with, issue_token
from tests.worker import run_ready_tasks

# Committed transactions, as in production: the delivery cache hears of each publish after its commit.
pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = [{"name": "title", "type": "string", "required": True, "localized": True}]
NOT_SUBMITTED = (
    "This site reviews before publishing and this block was not approved: submit it for review (Submit for "
    "review), and publish once a reviewer approves it."
)


def refused(message: str) -> dict:
    return {"error": {"code": "review_required", "message": message}}


@pytest.fixture
def team(site):
    """The site with review on; an editor (`api`, jane), an owner (olive) and a block `hero` by the editor."""
    Site.objects.filter(pk=site.pk).update(review_required=True)
    _, editor_secret = issue_token(site, username="jane", role="editor")
    _, owner_secret = issue_token(site, username="olive", role="owner")
    editor, owner = client_with(editor_secret), client_with(owner_secret)
    response = editor.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"title": "Hello"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    return editor, owner


def submit(client: APIClient, slug: str = "hero", comment: str = "Ready for review", locale: str = "en") -> dict:
    response = client.post(f"/api/v1/site-blocks/{slug}/reviews?locale={locale}", {"comment": comment}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def decide(client: APIClient, review_id: int, action: str, comment: str = "") -> dict:
    response = client.post(f"/api/v1/reviews/{review_id}/{action}", {"comment": comment}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def publish(client: APIClient, slug: str = "hero"):
    return client.post(f"/api/v1/site-blocks/{slug}/publish", {}, format="json")


def live(slug: str = "hero") -> bool:
    return APIClient().get(f"/api/v1/delivery/acme/blocks/{slug}").status_code == 200


def test_an_unapproved_publish_is_refused_with_the_whole_envelope_and_writes_nothing(team):
    editor, owner = team
    version = SiteBlock.objects.get(slug="hero").version

    response = publish(editor)

    assert response.status_code == 409
    assert response.json() == refused(NOT_SUBMITTED)
    assert SiteBlock.objects.get(slug="hero").version == version and not live()
    assert publish(owner).json() == refused(NOT_SUBMITTED)  # owners obey the rule too


def test_submit_approve_publish_then_a_change_needs_a_new_approval(team):
    editor, owner = team
    review = submit(editor)
    assert review["status"] == "pending" and review["target"] == {
        "kind": "block",
        "id": SiteBlock.objects.get(slug="hero").pk,
        "slug": "hero",
        "locale": "en",
        "name": "Hero",
    }
    assert [c["kind"] for c in review["comments"]] == ["requested"]
    assert publish(editor).json() == refused(
        f"This block is waiting for review (review {review['id']}): publish once a reviewer approves it."
    )

    approved = decide(owner, review["id"], "approve", "Looks good")
    assert approved["status"] == "approved" and approved["decidedBy"] == "olive"
    assert [(c["kind"], c["body"], c["author"]) for c in approved["comments"]] == [
        ("requested", "Ready for review", "jane"),
        ("approved", "Looks good", "olive"),
    ]
    response = publish(editor)
    assert response.status_code == 200, response.content
    assert live()

    editor.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Hello, world"}}, format="json")
    response = publish(editor)
    assert response.status_code == 409
    assert response.json() == refused(
        f"This block changed after it was submitted or approved (review {review['id']}): submit it for review "
        "(Submit for review) again, and publish once a reviewer approves this state."
    )
    # update-and-publish in one request obeys the same rule
    response = editor.put("/api/v1/site-blocks/hero/data?publish=true", {"data": {"title": "Hi"}}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "review_required"
    assert APIClient().get("/api/v1/delivery/acme/blocks/hero").json()["data"]["data"]["title"] == "Hello"


def test_a_schedule_set_after_approval_keeps_it_the_content_is_what_counts(team):
    editor, owner = team
    decide(owner, submit(editor)["id"], "approve")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert editor.post("/api/v1/site-blocks/hero/schedule", {"publishAt": later}, format="json").status_code == 200
    SiteBlock.objects.filter(slug="hero").update(scheduled_publish_at=datetime.now(UTC) - timedelta(seconds=1))

    assert perform_due_schedules() == [(SiteBlock.objects.get(slug="hero").pk, "published")]
    assert live()


def test_request_changes_needs_a_comment_then_fix_and_resubmit(team):
    editor, owner = team
    review = submit(editor)

    response = owner.post(f"/api/v1/reviews/{review['id']}/request-changes", {}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {"comment": "Required: say what should change."},
        }
    }
    sent_back = decide(owner, review["id"], "request-changes", "Title too short")
    assert sent_back["status"] == "changes_requested"
    assert publish(editor).json() == refused(
        f"A reviewer requested changes to this block (review {review['id']}): make them, submit it for review "
        "(Submit for review) again, and publish once it is approved."
    )
    closed = owner.post(f"/api/v1/reviews/{review['id']}/approve", {}, format="json")
    assert closed.status_code == 409
    assert closed.json() == {
        "error": {"code": "conflict", "message": "This review is closed (changes requested): nothing to decide."}
    }

    editor.put("/api/v1/site-blocks/hero/data", {"data": {"title": "A much better title"}}, format="json")
    second = submit(editor, comment="Fixed")
    decide(owner, second["id"], "approve")
    assert publish(editor).status_code == 200
    history = editor.get("/api/v1/site-blocks/hero/reviews").json()["data"]
    assert [(r["id"], r["status"]) for r in history] == [
        (second["id"], "approved"),
        (review["id"], "changes_requested"),
    ]


def test_approving_a_state_that_changed_since_it_was_submitted_is_refused(team):
    editor, owner = team
    review = submit(editor)
    editor.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Sneaky"}}, format="json")

    response = owner.post(f"/api/v1/reviews/{review['id']}/approve", {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "The block changed after it was submitted for review: what you would approve is not what is "
            "there now. Request changes, or ask the submitter to submit it again.",
        }
    }


def test_a_new_submission_supersedes_the_open_one(team):
    editor, owner = team
    first = submit(editor)
    second = submit(editor, comment="Again")
    assert Review.objects.get(pk=first["id"]).status == "superseded"
    response = owner.post(f"/api/v1/reviews/{first['id']}/approve", {}, format="json")
    assert response.status_code == 409
    decide(owner, second["id"], "approve")
    assert publish(editor).status_code == 200


def test_if_match_on_decisions_and_submissions(team):
    editor, owner = team
    block_etag = editor.get("/api/v1/site-blocks/hero")["ETag"]
    editor.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Moved"}}, format="json")
    stale = editor.post("/api/v1/site-blocks/hero/reviews", {}, format="json", HTTP_IF_MATCH=block_etag)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_write"

    response = editor.post(
        "/api/v1/site-blocks/hero/reviews",
        {},
        format="json",
        HTTP_IF_MATCH=editor.get("/api/v1/site-blocks/hero")["ETag"],
    )
    assert response.status_code == 201
    review = response.json()["data"]
    assert response["ETag"] == f'"review-{review["id"]}-1"'
    old = owner.post(f"/api/v1/reviews/{review['id']}/approve", {}, format="json", HTTP_IF_MATCH='"review-1-99"')
    assert old.status_code == 409 and old.json()["error"]["code"] == "stale_write"
    ok = owner.post(f"/api/v1/reviews/{review['id']}/approve", {}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert ok.status_code == 200 and ok["ETag"] == f'"review-{review["id"]}-2"'


def test_roles_who_submits_and_who_decides(team, site, make_client):
    editor, owner = team
    viewer = make_client("viewer")
    response = viewer.post("/api/v1/site-blocks/hero/reviews", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "Your role or token only allows reading on this site."}
    }
    review = submit(editor)
    other_editor = make_client("editor")
    response = other_editor.post(f"/api/v1/reviews/{review['id']}/approve", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "Only owners and members with the reviewer role approve or request changes.",
        }
    }
    own = submit(owner)  # supersedes the editor's request
    response = owner.post(f"/api/v1/reviews/{own['id']}/approve", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "You cannot review your own request: another reviewer decides."}
    }
    user, secret = issue_token(site, username="rita", role="editor")
    Membership.objects.filter(user=user, site=site).update(is_reviewer=True)
    assert decide(client_with(secret), own["id"], "approve")["decidedBy"] == "rita"
    read_only_owner = make_client("owner", scopes=("read",))
    assert read_only_owner.post(f"/api/v1/reviews/{own['id']}/approve", {}, format="json").status_code == 403


def test_a_translator_submits_a_locale_copy_whatever_the_site_setting(site, make_client):
    """The translators' hand-off: "Ready for review" on a copy is a review request, review on or off."""
    owner = make_client("owner")
    owner.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"title": "Hi"}},
        format="json",
    )
    owner.post("/api/v1/site-blocks/hero/copy-to-locale", {"locale": "fr"}, format="json")
    translator = make_client("translator")
    assert not Site.objects.get(pk=site.pk).review_required

    review = submit(translator, locale="fr", comment="Traduit")
    assert review["target"]["locale"] == "fr"
    assert owner.get("/api/v1/reviews?waitingForMe=true").json()["data"][0]["id"] == review["id"]
    response = translator.post("/api/v1/site-blocks/hero/reviews?locale=en", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "forbidden", "message": "Translators submit only copies in the locales they translate."}
    }
    assert publish(owner).status_code == 200  # review off: no gate


def test_lists_filter_by_status_and_what_waits_for_me_oldest_first_in_flat_queries(team, site):
    editor, owner = team
    for name in ("A", "B", "C", "D"):
        editor.post(
            "/api/v1/site-blocks",
            {"name": name, "type": "global", "schema": SCHEMA, "data": {"title": name}},
            format="json",
        )
    ids = [submit(editor, slug)["id"] for slug in ("a", "b", "c", "d")]
    decide(owner, ids[1], "approve")

    waiting = owner.get("/api/v1/reviews?waitingForMe=true").json()
    assert [r["id"] for r in waiting["data"]] == [ids[0], ids[2], ids[3]]
    assert editor.get("/api/v1/reviews?waitingForMe=true").json()["data"] == []  # editors do not review
    assert [r["id"] for r in owner.get("/api/v1/reviews?status=approved").json()["data"]] == [ids[1]]
    bad = owner.get("/api/v1/reviews?status=nope")
    assert bad.status_code == 400
    assert bad.json() == {
        "error": {
            "code": "bad_request",
            "message": "Unknown status `nope`.",
            "fields": {"status": "One of pending, approved, changes_requested, superseded."},
        }
    }
    with CaptureQueriesContext(connection) as few:
        owner.get("/api/v1/reviews")
    submit(editor, "hero")
    with CaptureQueriesContext(connection) as more:
        owner.get("/api/v1/reviews")
    assert len(more) == len(few)
    missing = owner.get("/api/v1/reviews/99999")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "No review 99999 on this site."}}


def make_release(editor: APIClient, slugs: tuple[str, ...]) -> int:
    response = editor.post("/api/v1/releases", {"name": "Launch"}, format="json")
    release = response.json()["data"]["id"]
    for slug in slugs:
        assert editor.post(f"/api/v1/releases/{release}/items", {"slug": slug}, format="json").status_code == 201
    return release


def test_a_release_publishes_only_once_approved_and_a_change_needs_a_new_approval(team):
    editor, owner = team
    editor.post(
        "/api/v1/site-blocks",
        {"name": "Footer", "type": "global", "schema": SCHEMA, "data": {"title": "F"}},
        format="json",
    )
    release = make_release(editor, ("hero", "footer"))

    response = editor.post(f"/api/v1/releases/{release}/publish", {}, format="json")
    assert response.status_code == 409
    assert response.json() == refused(
        "This site reviews before publishing and this release was not approved: submit the release for review, "
        "and publish once a reviewer approves it."
    )
    assert not live("hero") and not live("footer")

    response = editor.post(f"/api/v1/releases/{release}/reviews", {"comment": "Campaign"}, format="json")
    assert response.status_code == 201, response.content
    review = response.json()["data"]
    assert review["target"] == {"kind": "release", "id": release, "name": "Launch"}
    decide(owner, review["id"], "approve")
    editor.put("/api/v1/site-blocks/footer/data", {"data": {"title": "Changed"}}, format="json")
    response = editor.post(f"/api/v1/releases/{release}/publish", {"acceptChanges": True}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "review_required"

    again = editor.post(f"/api/v1/releases/{release}/reviews", {}, format="json").json()["data"]
    decide(owner, again["id"], "approve")
    response = editor.post(f"/api/v1/releases/{release}/publish", {"acceptChanges": True}, format="json")
    assert response.status_code == 200, response.content
    assert live("hero") and live("footer")
    assert [r["status"] for r in editor.get(f"/api/v1/releases/{release}/reviews").json()["data"]] == [
        "approved",
        "approved",
    ]


def test_a_release_of_blocks_each_approved_as_they_are_publishes(team):
    editor, owner = team
    decide(owner, submit(editor)["id"], "approve")
    release = make_release(editor, ("hero",))
    assert editor.post(f"/api/v1/releases/{release}/publish", {}, format="json").status_code == 200


def test_scheduled_publishes_of_unapproved_states_do_not_go_live_and_say_why(team):
    editor, _owner = team
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    editor.post("/api/v1/site-blocks/hero/schedule", {"publishAt": later}, format="json")
    SiteBlock.objects.filter(slug="hero").update(scheduled_publish_at=datetime.now(UTC) - timedelta(seconds=1))

    assert perform_due_schedules() == [(SiteBlock.objects.get(slug="hero").pk, "publish_failed")]
    answer = editor.get("/api/v1/site-blocks/hero").json()
    assert answer["data"]["status"] == "draft" and not live()
    assert answer["meta"]["scheduleFailure"]["message"] == NOT_SUBMITTED

    release = make_release(editor, ("hero",))
    assert editor.post(f"/api/v1/releases/{release}/schedule", {"publishAt": later}, format="json").status_code == 200
    Release.objects.filter(pk=release).update(scheduled_at=datetime.now(UTC) - timedelta(seconds=1))
    assert perform_due_releases() == [(release, "publish_failed")]
    failure = editor.get(f"/api/v1/releases/{release}").json()["data"]["scheduleFailure"]
    assert failure["code"] == "review_required" and "submit the release for review" in failure["message"]
    assert not live()


def test_review_events_reach_webhooks_signed(team, receiver):
    editor, owner = team
    hook = owner.post(
        "/api/v1/webhooks",
        {"url": receiver.url, "events": ["review.requested", "review.approved", "review.changes_requested"]},
        format="json",
    )
    assert hook.status_code == 201, hook.content
    review = submit(editor)
    decide(owner, review["id"], "request-changes", "Shorter")
    editor.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Hi"}}, format="json")
    second = submit(editor)
    decide(owner, second["id"], "approve", "Good")
    run_ready_tasks()

    bodies = [json.loads(request.body) for request in receiver.requests]
    assert [body["event"] for body in bodies] == [
        "review.requested",
        "review.changes_requested",
        "review.requested",
        "review.approved",
    ]
    assert all(request.headers.get("X-CMS-Signature") for request in receiver.requests)
    last = bodies[-1]
    assert last["review"] == {
        "id": second["id"],
        "status": "approved",
        "targetVersion": second["targetVersion"],
        "requestedBy": "jane",
        "decidedBy": "olive",
        "comment": "Good",
    }
    assert last["block"]["slug"] == "hero" and last["release"] is None and last["site"]["slug"] == "acme"
    bad = owner.post("/api/v1/webhooks", {"url": receiver.url, "events": ["review.nope"]}, format="json")
    assert bad.status_code == 422 and "events[0]" in bad.json()["error"]["fields"]
