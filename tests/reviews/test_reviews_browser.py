"""Review before publish in a real browser (Debian Chromium via Playwright; `-m browser`), issue 20:

an editor's Publish of an unapproved block is refused in words; they submit it for review with a comment; the
owner finds it in "Reviews waiting for me" and requests changes; the editor fixes and submits again; the owner
approves on the block's Review tab; the editor publishes. axe-core finds no serious or critical violation on
the pages of the walk; screenshots at 1440 and 390 px go to `test-artifacts/reviews/`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Site
from accounts.permissions import Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services import block_create
from reviews.models import Review
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import blocking, log_in

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "reviews"
WIDTHS = (1440, 390)
SCHEMA = [{"name": "title", "type": "string", "required": True}, {"name": "intro", "type": "text"}]


def check(page, name: str) -> None:
    """No serious or critical axe violation on the whole page, at both widths, with a screenshot of each."""
    assert page.csp_violations == [], page.csp_violations
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        assert blocking(page) == [], f"{name} at {width}px"
        width_of = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width_of[0] <= width_of[1] + 1, f"{name} scrolls sideways at {width}px: {width_of}"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True, animations="disabled")
    page.csp_violations.clear()
    page.set_viewport_size({"width": 1440, "height": 900})


def switch_to(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def test_submit_request_changes_fix_approve_publish_in_the_admin(page):
    site = build_site("acme", ("en", "fr"))
    Site.objects.filter(pk=site.pk).update(review_required=True)
    owner = member(site, "olga", "owner")
    member(site, "ed", "editor")
    block = block_create(
        actor=Actor(user=owner, site=site, role="owner"),
        name="Hero",
        type="global",
        schema=SCHEMA,
        data={"title": "Welcome to our brand new and very long spring campaign", "intro": "Hello"},
    )
    change = f"/admin/blocks/siteblock/{block.pk}/change/"
    review_tab = f"/admin/blocks/siteblock/{block.pk}/review/"

    # 1. The editor's Publish of a state nobody approved is refused, saying what to do; nothing goes live.
    log_in(page, "ed")
    page.goto(change)
    expect(page.locator("#cms-review-words")).to_have_text(
        "· Review: Not submitted for review. Review is required before publishing."
    )
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator("#cms-error-summary")).to_contain_text("submit it for review")
    assert SiteBlock.objects.get(pk=block.pk).status == BlockStatus.DRAFT

    # 2. Submit for review with a comment, from the Review tab.
    page.click("#cms-review")
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}{review_tab}")
    page.fill("#id_submit_comment", "New campaign title, please check")
    with page.expect_navigation():
        page.click("#cms-review-submit-button")
    expect(page.locator(".messagelist .success")).to_contain_text("Submitted for review")
    expect(page.locator("#cms-review-state")).to_contain_text("Waiting for review.")
    expect(page.locator("#cms-review-decision")).to_have_count(0)  # an editor does not review
    check(page, "block-review-submitted")

    # 3. The owner finds it in "Reviews waiting for me" (the admin nav) and requests changes.
    switch_to(page, "olga")
    page.goto("/admin/")
    with page.expect_navigation():
        page.locator("#content-main a[href='/admin/reviews/review/']").first.click()
    expect(page.locator("h1")).to_have_text("Reviews waiting for me")
    rows = page.locator("#cms-reviews-waiting tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hero (en)")
    expect(rows.first).to_contain_text("New campaign title, please check")
    check(page, "waiting-for-me")
    with page.expect_navigation():
        rows.first.locator("a").click()
    page.fill("#id_review_comment", "The title is too long for the banner: shorten it.")
    with page.expect_navigation():
        page.click("#cms-review-request-changes")
    expect(page.locator(".messagelist .success")).to_contain_text("Changes requested")
    expect(page.locator("#cms-review-status")).to_contain_text("Changes requested by olga")
    check(page, "review-changes-requested")

    # 4. The editor reads the comment, fixes the title, saves, and submits again.
    switch_to(page, "ed")
    page.goto(change)
    expect(page.locator("#cms-review-words")).to_contain_text("Changes requested")
    page.fill("#cms-d-title", "Spring campaign")
    with page.expect_navigation():
        page.click("#cms-save-draft")
    page.goto(review_tab)
    expect(page.locator("#cms-review-history")).to_contain_text("The title is too long for the banner")
    page.fill("#id_submit_comment", "Shortened")
    with page.expect_navigation():
        page.click("#cms-review-submit-button")
    expect(page.locator("#cms-review-state")).to_contain_text("Waiting for review.")

    # 5. The owner approves on the block's Review tab.
    switch_to(page, "olga")
    page.goto(review_tab)
    expect(page.locator("#cms-review-open")).to_contain_text("Shortened")
    check(page, "block-review-decide")
    page.fill("#id_review_comment", "Good to go")
    with page.expect_navigation():
        page.click("#cms-review-approve")
    expect(page.locator("#cms-review-state")).to_contain_text("Approved: this state may be published.")
    expect(page.locator("#cms-review-history .cms-review-request")).to_have_count(2)

    # 6. The editor publishes the approved state.
    switch_to(page, "ed")
    page.goto(change)
    expect(page.locator("#cms-review-words")).to_have_text("· Review: Approved: this state may be published.")
    check(page, "edit-approved")
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator(".messagelist .success")).to_contain_text("Saved and published “Hero”")
    stored = SiteBlock.objects.get(pk=block.pk)
    assert stored.status == BlockStatus.PUBLISHED and stored.published_snapshot["data"]["title"] == "Spring campaign"
    assert list(Review.objects.order_by("id").values_list("status", flat=True)) == ["changes_requested", "approved"]
