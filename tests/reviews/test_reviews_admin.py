"""Reviews in the admin without a browser: the site setting and the reviewer flag through their forms, the
block's Review tab and "Reviews waiting for me" per role and site, and `waiting_for(user)` across sites."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Site
from accounts.permissions import Actor
from reviews.models import Review
from reviews.selectors import waiting_for
from reviews.services import review_submit_block
from tests.conftest import build_site
from tests.editor.conftest import logged_in, make_block, member
from tests.editor.helpers import encode, rendered_form_post

FORM = "application/x-www-form-urlencoded"
WAITING = reverse("admin:reviews_review_changelist")


def submitted(site, user, name: str, role: str = "editor") -> Review:
    block = make_block(site, name=name, data={"title": name})
    return review_submit_block(
        actor=Actor(user=user, site=site, role=role), block=block, comment=f"{name} please", expected_version=None
    )


def test_owner_turns_review_on_and_gives_a_member_the_reviewer_flag(site):
    owner = logged_in(member(site, "olivia", "owner"))
    eddie = member(site, "eddie", "editor")
    page = owner.get(reverse("admin:accounts_site_change", args=[site.pk]))
    pairs = dict(rendered_form_post(page.content.decode(), "site_form"))
    pairs["review_required"] = "on"
    assert owner.post(page.request["PATH_INFO"], encode(list(pairs.items())), content_type=FORM).status_code == 302
    assert Site.objects.get(pk=site.pk).review_required

    membership = Membership.objects.get(user=eddie, site=site)
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    response = owner.post(url, {"role": "editor", "is_reviewer": "on"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_reviewer
    # an editor cannot give themselves the flag
    response = logged_in(eddie).post(url, {"role": "editor", "is_reviewer": ""})
    assert response.status_code in (302, 403) and Membership.objects.get(pk=membership.pk).is_reviewer


def test_the_review_tab_submits_and_only_reviewers_decide(site):
    Site.objects.filter(pk=site.pk).update(review_required=True)
    editor_user = member(site, "eddie", "editor")
    block = make_block(site, name="Hero", data={"title": "Hi"})
    tab = reverse("admin:blocks_siteblock_review", args=[block.pk])
    editor = logged_in(editor_user)

    page = editor.get(tab).content.decode()
    assert "Not submitted for review. Review is required before publishing." in page
    assert 'id="cms-review-decision"' not in page
    response = editor.post(tab, {"_review_submit": "1", "submit_comment": "Please", "version": block.version})
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.status, review.requested_by, review.comments.get().body) == ("pending", editor_user, "Please")

    forged = editor.post(tab, {"_review_approve": "1", "review_id": review.pk, "review_version": review.version})
    assert forged.status_code == 302 and Review.objects.get().status == "pending"
    owner = logged_in(member(site, "olivia", "owner"))
    page = owner.get(tab).content.decode()
    assert 'id="cms-review-decision"' in page and "Waiting for review." in page
    owner.post(tab, {"_review_request_changes": "1", "review_comment": "", "review_id": review.pk})
    assert Review.objects.get().status == "pending"  # a comment is required to request changes
    owner.post(tab, {"_review_approve": "1", "review_comment": "OK", "review_id": review.pk})
    assert Review.objects.get().status == "approved"
    assert "Approved: this state may be published." in owner.get(tab).content.decode()
    change = owner.get(reverse("admin:blocks_siteblock_change", args=[block.pk])).content.decode()
    assert 'id="cms-review-words"' in change and "Approved: this state may be published." in change


def test_waiting_for_me_lists_what_i_may_decide_oldest_first_and_nothing_of_other_sites(site):
    other = build_site("globex", ("en",))
    owner = member(site, "olivia", "owner")
    eddie = member(site, "eddie", "editor")
    stranger = member(other, "sam", "editor")
    first = submitted(site, eddie, "First")
    second = submitted(site, eddie, "Second")
    own = submitted(site, owner, "Mine", role="owner")
    elsewhere = submitted(other, stranger, "Theirs")

    assert [r.pk for r in waiting_for(owner)] == [first.pk, second.pk]
    assert list(waiting_for(eddie)) == []  # an editor without the flag reviews nothing
    Membership.objects.filter(user=eddie).update(is_reviewer=True)
    assert [r.pk for r in waiting_for(eddie)] == [own.pk]  # never their own requests

    client = logged_in(owner)
    page = client.get(WAITING).content.decode()
    assert "First (en)" in page and "Second (en)" in page and "Theirs" not in page
    assert page.index("First (en)") < page.index("Second (en)")
    assert "My requests waiting for a reviewer (1)" in page
    assert client.get(reverse("admin:reviews_review_change", args=[elsewhere.pk])).status_code == 404
    with CaptureQueriesContext(connection) as few:
        client.get(WAITING)
    submitted(site, eddie, "Third")
    with CaptureQueriesContext(connection) as more:
        client.get(WAITING)
    assert len(more) == len(few)


@pytest.mark.parametrize("role", ["viewer", "translator"])
def test_members_without_the_flag_read_a_review_but_cannot_decide(site, role):
    review = submitted(site, member(site, "eddie", "editor"), "Hero")
    client = logged_in(member(site, f"{role}-x", role))
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = client.get(url).content.decode()
    assert "Hero please" in page and 'id="cms-review-decision"' not in page
    client.post(url, {"_review_approve": "1", "review_version": review.version})
    assert Review.objects.get(pk=review.pk).status == "pending"
