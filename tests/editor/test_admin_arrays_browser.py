"""Arrays like StreamField, in a real browser (issue 15, item 5): a "Pricing" block whose plans are rows titled
by their first field ("Plan 2 · Pro"), numbered, folded and unfolded, moved by dragging their handle and by
keyboard, added with "Add plan" until `maxItems` turns it off, removed with an Undo that puts the row back in
its place, the focus kept after every action. What the form then saves is checked in the database. axe-core
runs on the content form at 1440 and 390 px; screenshots go to `test-artifacts/editor-arrays/`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_create, block_publish
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS, assert_no_csp_violation
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import check_axe, log_in

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "editor-arrays"

SCHEMA = [
    {"name": "title", "type": "string"},
    {
        "name": "plans",
        "type": "array",
        "maxItems": 4,
        "items": {
            "type": "object",
            "fields": [{"name": "planName", "type": "string", "required": True}, {"name": "price", "type": "number"}],
        },
    },
]
DATA = {
    "title": "Pricing",
    "plans": [{"planName": "Basic", "price": 5}, {"planName": "Pro", "price": 9}, {"planName": "Team", "price": 20}],
}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def titles(page) -> list[str]:
    return page.locator('.cms-array[data-name="d.plans"] > .cms-rows > .cms-row > .cms-row-title').all_inner_texts()


def test_rows_fold_drag_move_add_to_the_limit_and_undo_a_remove(page):
    site = build_site("acme", ("en",))
    editor = member(site, "ed", "editor")
    actor = Actor(user=editor, site=site, role="editor")
    block = block_create(actor=actor, name="Pricing", type="global", schema=SCHEMA, data=DATA)
    block = block_publish(actor=actor, block=block, expected_version=block.version)
    log_in(page, "ed")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
    plans = page.locator('.cms-array[data-name="d.plans"]')
    rows = plans.locator(":scope > .cms-rows > .cms-row")
    count = plans.locator(":scope > .cms-array-count")
    add = plans.locator(":scope > .cms-add-row")

    # Titled by their first field, counted against the limit, Add named after the field.
    assert titles(page) == ["Plan 1 · Basic", "Plan 2 · Pro", "Plan 3 · Team"]
    expect(count).to_have_text("3 plans, at most 4")
    expect(add).to_have_text("Add plan")
    page.fill('[aria-label="Plan 2"] input[name$=".planName"]', "Pro+")
    assert titles(page)[1] == "Plan 2 · Pro+"  # the title follows the typing

    # Fold and unfold, the button saying which.
    fold = page.get_by_role("button", name="Fold plan 1")
    fold.click()
    expect(rows.nth(0)).to_have_class(r"cms-row cms-row-folded")
    expect(rows.nth(0).locator("input[name$='.planName']")).to_be_hidden()
    unfold = page.get_by_role("button", name="Unfold plan 1")
    expect(unfold).to_be_focused()
    expect(unfold).to_have_attribute("aria-expanded", "false")
    shot(page, "folded-1440")
    unfold.press("Enter")
    expect(rows.nth(0).locator("input[name$='.planName']")).to_be_visible()

    # Move by keyboard: the focus stays on the moved row's button.
    page.get_by_role("button", name="Move plan 3 up").focus()
    page.keyboard.press("Enter")
    assert titles(page) == ["Plan 1 · Basic", "Plan 2 · Team", "Plan 3 · Pro+"]
    expect(page.get_by_role("button", name="Move plan 2 up")).to_be_focused()

    # Drag by the handle: Basic below Pro+.
    last = rows.nth(2).bounding_box()
    assert last is not None
    rows.nth(0).locator(".cms-drag").drag_to(rows.nth(2), target_position={"x": 20, "y": last["height"] - 4})
    assert titles(page) == ["Plan 1 · Team", "Plan 2 · Pro+", "Plan 3 · Basic"]

    # Add until the limit: Add turns off and the count says so.
    add.click()
    expect(page.locator('[aria-label="Plan 4"] input[name$=".planName"]')).to_be_focused()
    page.keyboard.type("Enterprise")
    expect(add).to_be_disabled()
    expect(count).to_have_text("4 plans, at most 4")
    shot(page, "full-1440")

    # Remove, then Undo: the row is back in its place with what was typed; Add is off again.
    page.get_by_role("button", name="Remove plan 2").click()
    assert titles(page) == ["Plan 1 · Team", "Plan 2 · Basic", "Plan 3 · Enterprise"]
    expect(add).to_be_enabled()
    undo = plans.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(plans.locator(".cms-undo")).to_contain_text("Plan 2 removed.")
    shot(page, "removed-1440")
    undo.click()
    assert titles(page) == ["Plan 1 · Team", "Plan 2 · Pro+", "Plan 3 · Basic", "Plan 4 · Enterprise"]
    expect(page.locator('[aria-label="Plan 2"] input[name$=".planName"]')).to_be_focused()
    expect(add).to_be_disabled()
    expect(plans.get_by_role("button", name="Undo")).to_have_count(0)
    check_axe(page, "arrays at 1440px")

    # A second remove, kept: what is saved is the form as the editor left it.
    page.get_by_role("button", name="Remove plan 4").click()
    expect(page.get_by_role("button", name="Remove plan 3")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_axe(page, "arrays at 390px")
    shot(page, "rows-390")
    with page.expect_navigation():
        page.locator('[name="_continue"]').first.click()
    saved = SiteBlock.objects.get(pk=block.pk)
    assert saved.data["plans"] == [
        {"planName": "Team", "price": 20},
        {"planName": "Pro+", "price": 9},
        {"planName": "Basic", "price": 5},
    ]
    assert_no_csp_violation(page)

    # Preview: what changed since the published version, fitting the window at both widths.
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/admin/blocks/siteblock/{block.pk}/preview/")
        expect(page.locator("#cms-preview-changes h2")).to_have_text("Changed since the published version (5)")
        expect(page.locator('#cms-preview-change-list tr[data-path="data.plans[0].planName"]')).to_contain_text("Team")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        check_axe(page, f"preview at {width}px")
        shot(page, f"preview-{width}")

    # History: compare the first revision with what was just saved, each moved value by its label.
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/admin/blocks/siteblock/{block.pk}/history/compare/?from=1&to=current")
        expect(page.locator('#cms-compare-data tr[data-path="data.plans[0].planName"]')).to_contain_text("Team")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        check_axe(page, f"compare at {width}px")
        shot(page, f"compare-{width}")
