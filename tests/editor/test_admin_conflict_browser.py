"""Two editors on one block in two browser contexts (issue 15, item 8): both open "Pricing"; Bob saves the title
while Ann edits the introduction; Ann's save is merged on top of Bob's (one write, a message naming Bob and what
he changed). Then both change the title: Ann's save comes back with both values named and the form at Bob's
version holding both sides' changes; she settles it and saves. Presence names the other editor on each page.
axe-core on the page with the conflict at 1440 and 390 px; screenshots in `test-artifacts/editor-conflict/`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_create
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import check_axe, log_in

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "editor-conflict"
SCHEMA = [{"name": "title", "type": "string"}, {"name": "intro", "type": "text"}]


def save(tab) -> None:
    with tab.expect_navigation():
        tab.click("#cms-save-draft")


def test_two_editors_in_two_browsers_merge_and_settle_a_conflict(page):
    site = build_site("acme", ("en",))
    member(site, "ann", "editor")
    bob_user = member(site, "bob", "editor")
    block = block_create(
        actor=Actor(user=bob_user, site=site, role="editor"),
        name="Pricing",
        type="global",
        schema=SCHEMA,
        data={"title": "Pricing", "intro": "Plans"},
    )
    change = f"/admin/blocks/siteblock/{block.pk}/change/"
    ann = page
    log_in(ann, "ann")
    ann.set_viewport_size({"width": 1440, "height": 900})
    ann.goto(change)
    bob = ann.context.browser.new_context(base_url=ann.url.split("/admin/")[0]).new_page()
    try:
        log_in(bob, "bob")
        bob.goto(change)
        expect(bob.locator("#cms-presence")).to_have_text("Also open: ann")

        # Different fields: Bob saves the title, Ann's introduction is saved on top of it.
        bob.fill("#cms-d-title", "Our prices")
        save(bob)
        ann.fill("#cms-d-intro", "Simple plans for every team")
        save(ann)
        expect(ann.locator(".messagelist .success")).to_contain_text(
            "Bob saved this block while you were editing (they changed Title); your changes were saved on top"
        )
        stored = SiteBlock.objects.get(pk=block.pk)
        assert stored.data == {"title": "Our prices", "intro": "Simple plans for every team"}
        expect(ann.locator("#cms-d-title")).to_have_value("Our prices")

        # The same field: nothing saved, both values named, the form at Bob's version with both sides' changes.
        bob.goto(change)
        bob.fill("#cms-d-title", "Prices 2027")
        ann.fill("#cms-d-title", "Plans and prices")
        save(bob)
        save(ann)
        errors = ann.locator(".errornote, .errorlist, #cms-error-summary")
        expect(errors.first).to_contain_text("You both changed: Title: yours “Plans and prices”, theirs “Prices 2027”")
        expect(ann.locator("#cms-d-title")).to_have_value("Plans and prices")
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1440, 390):
            ann.set_viewport_size({"width": width, "height": 900})
            check_axe(ann, f"conflict at {width}px")
            assert ann.evaluate("document.documentElement.scrollWidth") <= width
            ann.screenshot(path=str(SHOTS / f"conflict-{width}.png"), full_page=True, animations="disabled")
        assert SiteBlock.objects.get(pk=block.pk).data["title"] == "Prices 2027"  # Bob's, nothing of Ann's yet

        # Ann settles on her title and saves again: it goes through.
        save(ann)
        expect(ann.locator(".messagelist .success")).to_be_visible()
        assert SiteBlock.objects.get(pk=block.pk).data == {
            "title": "Plans and prices",
            "intro": "Simple plans for every team",
        }
    finally:
        bob.context.close()
