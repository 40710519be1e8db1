"""The whole editing story of issue 15, walked in a real browser at 1440 px and again at 390 px.

An editor creates a "Pricing" block, builds a schema of all 17 field types on the Schema tab (an object with a
field, a list of plan objects, a data source), fills every widget on the Content tab, adds, reorders and
removes plans with the mouse and then with the keyboard only (Tab to the button, Enter), saves a draft that
would not publish (it is saved, with a warning and the completion count), publishes and gets the problems in
a summary whose links move the focus, fixes them and publishes what is in the form, compares two chosen
revisions, restores one (the preview lists what that changed since the published version), settles a
concurrent edit from a second browser by having her changes applied on top, and ends on the dashboard and
the block list. At every page: nothing wider than the window, and axe-core finds no serious or critical
violation. A screenshot of each page goes to `test-artifacts/editor-story-<width>/`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blocks.models import SiteBlock
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS, add_field, assert_no_csp_violation
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import check_axe, log_in
from tests.ids import without_ids

pytestmark = pytest.mark.browser

#: the schema the editor builds on the Schema tab, one field of each of the 17 types (labels as typed)
BUILT_SCHEMA = [
    {"name": "title", "type": "string", "label": "Title", "required": True},
    {"name": "summary", "type": "text", "label": "Summary"},
    {"name": "body", "type": "richtext", "label": "Body"},
    {"name": "seats", "type": "number", "label": "Seats", "integer": True},
    {"name": "featured", "type": "boolean", "label": "Featured"},
    {"name": "size", "type": "select", "label": "Size", "options": [{"value": "s", "label": "Small"}, "m"]},
    {"name": "topics", "type": "multiselect", "label": "Topics", "options": ["news", "tech", "art"]},
    {"name": "hero", "type": "image", "label": "Hero"},
    {"name": "brochure", "type": "file", "label": "Brochure"},
    {"name": "website", "type": "url", "label": "Website"},
    {"name": "contact", "type": "email", "label": "Contact"},
    {"name": "launch", "type": "date", "label": "Launch"},
    {"name": "starts", "type": "datetime", "label": "Starts"},
    {"name": "accent", "type": "color", "label": "Accent"},
    {
        "name": "seo",
        "type": "object",
        "label": "SEO",
        "fields": [{"name": "metaTitle", "type": "string", "label": "Meta title"}],
    },
    {
        "name": "plans",
        "type": "array",
        "label": "Plans",
        "maxItems": 4,
        "items": {
            "type": "object",
            "fields": [
                {"name": "planName", "type": "string", "label": "Plan name", "required": True},
                {"name": "price", "type": "number", "label": "Price"},
            ],
        },
    },
    {"name": "related", "type": "dataSource", "label": "Related", "source": "blocks"},
]


class Story:
    """The page at one width: a numbered screenshot of each step, and the checks every page must pass."""

    def __init__(self, page, width: int) -> None:
        self.page, self.width, self.count = page, width, 0
        self.folder = ARTIFACTS / f"editor-story-{width}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def look(self, name: str) -> None:
        """No sideways scrolling, no serious or critical axe finding, and a full-page screenshot."""
        widths = self.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if widths[0] > widths[1]:  # name what sticks out, to say where to look
            wide = self.page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
                " document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className +"
                " ' ' + Math.round(e.getBoundingClientRect().right))"
            )
            raise AssertionError(f"{name} scrolls sideways at {self.width}px: {widths}; wider: {wide}")
        check_axe(self.page, f"{name} at {self.width}px")
        # From the top: a full-page capture of a scrolled page draws sticky bars (the action bar, the rich-text
        # toolbar) where the scroll left them, not where the editor sees them.
        self.page.evaluate("window.scrollTo(0, 0)")
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")


FOCUSED_NAME = (
    "(() => { const e = document.activeElement; return e ? (e.getAttribute('aria-label') || e.textContent || '')"
    ".trim() : ''; })()"
)


def tab_to(page, name: str, *, back: bool = False, most: int = 80) -> None:
    """Press Tab (Shift+Tab when `back`) until the control named `name` has the focus, as a keyboard user
    gets there; the names passed on the way are in the failure message."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        passed.append(page.evaluate(FOCUSED_NAME)[:40])
        if passed[-1] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}; passed {passed}")


def plan_titles(page) -> list[str]:
    return page.locator('.cms-array[data-name="d.plans"] > .cms-rows > .cms-row > .cms-row-title').all_inner_texts()


def build_schema_on_the_schema_tab(page) -> None:
    for label, type_name in (
        ("Title", "string"),
        ("Summary", "text"),
        ("Body", "richtext"),
        ("Seats", "number"),
        ("Featured", "boolean"),
        ("Size", "select"),
        ("Topics", "multiselect"),
        ("Hero", "image"),
        ("Brochure", "file"),
        ("Website", "url"),
        ("Contact", "email"),
        ("Launch", "date"),
        ("Starts", "datetime"),
        ("Accent", "color"),
        ("SEO", "object"),
        ("Plans", "array"),
        ("Related", "dataSource"),
    ):
        add_field(page, "schema", label, type_name)

    def row(path: str):
        return page.locator(f'.cms-sb-row[data-path="{path}"]')

    row("schema[0]").locator(":scope > .cms-sb-head .cms-sb-required").check()
    row("schema[3]").locator('.cms-sb-opt[data-key="integer"]').check()
    row("schema[5]").locator(".cms-sb-slot-options textarea").fill("s|Small\nm")
    row("schema[6]").locator(".cms-sb-slot-options textarea").fill("news\ntech\nart")
    add_field(page, "schema[14].fields", "Meta title", "string")
    row("schema[15]").locator('.cms-sb-opt[data-key="maxItems"]').fill("4")
    row("schema[15].items").locator(":scope > .cms-sb-head .cms-sb-type").select_option("object")
    plan_name = add_field(page, "schema[15].items.fields", "Plan name", "string")
    row(plan_name).locator(":scope > .cms-sb-head .cms-sb-required").check()
    add_field(page, "schema[15].items.fields", "Price", "number")


def fill_every_widget(page) -> None:
    page.fill("#cms-d-title", "Pricing")
    page.fill("#cms-d-summary", "Plans for\nevery team")
    page.get_by_role("textbox", name="Body").click()
    page.keyboard.type("Pick a ")
    page.keyboard.press("Control+b")
    page.keyboard.type("plan")
    page.keyboard.press("Control+b")
    page.fill("#cms-d-seats", "12")
    page.check("#cms-d-featured")
    page.select_option("#cms-d-size", "s")
    page.check('input[name="d.topics"][value="news"]')
    page.check('input[name="d.topics"][value="art"]')
    page.click('[data-name="d.hero"] .cms-asset-url summary')  # the URL form is folded under the chooser
    page.fill('input[name="d.hero.url"]', "https://cdn.example.com/hero.jpg")
    page.fill('input[name="d.hero.alt"]', "Three plans side by side")
    page.click('[data-name="d.brochure"] .cms-asset-url summary')
    page.fill('input[name="d.brochure.url"]', "/files/pricing.pdf")
    page.fill('input[name="d.brochure.name"]', "Pricing sheet")
    page.fill("#cms-d-website", "https://example.com/pricing")
    page.fill("#cms-d-contact", "sales@example.com")
    page.fill("#cms-d-launch", "2027-01-04")
    page.fill("#cms-d-starts", "2027-01-04T09:00")
    page.locator('[data-path="data.accent"] .cms-color-picker').fill("#0055aa")
    page.fill("#cms-d-seo-metaTitle", "Prices and plans")
    expect(page.locator('[data-path="data.related"]')).to_contain_text("Filled when the block is read")


@pytest.mark.parametrize("width", [1440, 390])
def test_the_whole_editing_story_at(page, width):
    site = build_site("acme", ("en", "fr"))
    member(site, "ann", "editor")
    member(site, "bob", "editor")
    height = 900 if width > 400 else 844
    page.set_viewport_size({"width": width, "height": height})
    story = Story(page, width)
    log_in(page, "ann")

    # 1. A new block, then its schema of all 17 types, built on the Schema tab.
    page.goto("/admin/blocks/siteblock/add/")
    page.fill("#id_name", "Pricing")
    with page.expect_navigation():
        page.locator('[name="_continue"]').first.click()
    block = SiteBlock.objects.get(name="Pricing")
    with page.expect_navigation():
        page.click("#cms-tab-schema")
    build_schema_on_the_schema_tab(page)
    story.look("schema-built")
    with page.expect_navigation():
        page.click("#cms-save-schema")
    expect(page.locator(".messagelist .success")).to_be_visible()
    block.refresh_from_db()
    assert without_ids(block.schema) == BUILT_SCHEMA
    story.look("schema-saved")

    # 2. Every widget, filled on the Content tab.
    with page.expect_navigation():
        page.click("#cms-tab-content")
    fill_every_widget(page)
    plans = page.locator('.cms-array[data-name="d.plans"]')
    add_plan = plans.locator(":scope > .cms-add-row")
    expect(add_plan).to_have_text("Add plan")

    # 3. Plans with the mouse: two added, the second moved up, a third added and removed, and the remove undone.
    add_plan.click()
    page.keyboard.type("Basic")
    page.fill('[aria-label="Plan 1"] input[name$=".price"]', "5")
    add_plan.click()
    page.keyboard.type("Pro")
    page.fill('[aria-label="Plan 2"] input[name$=".price"]', "9")
    page.get_by_role("button", name="Move plan 2 up").click()
    assert plan_titles(page) == ["Plan 1 · Pro", "Plan 2 · Basic"]
    add_plan.click()
    page.keyboard.type("Team")
    page.get_by_role("button", name="Remove plan 3").click()
    assert plan_titles(page) == ["Plan 1 · Pro", "Plan 2 · Basic"]
    plans.get_by_role("button", name="Undo").click()
    assert plan_titles(page) == ["Plan 1 · Pro", "Plan 2 · Basic", "Plan 3 · Team"]
    story.look("content-filled")

    # 4. The same with the keyboard only, from plan 3's name: Tab to each button, Enter. A fourth plan reaches
    # the limit (Add turns off), moves up, and plan 3 is removed; the focus stays where the editor works.
    page.locator('[aria-label="Plan 3"] input[name$=".planName"]').focus()
    tab_to(page, "Add plan")
    page.keyboard.press("Enter")
    expect(page.locator('[aria-label="Plan 4"] input[name$=".planName"]')).to_be_focused()
    page.keyboard.type("Enterprise")
    expect(add_plan).to_be_disabled()
    expect(plans.locator(":scope > .cms-array-count")).to_have_text("4 plans, at most 4")
    tab_to(page, "Move plan 4 up", back=True, most=3)  # plan 4's buttons, just before its fields
    expect(page.get_by_role("button", name="Move plan 4 up")).to_be_focused()
    page.keyboard.press("Enter")
    assert plan_titles(page) == ["Plan 1 · Pro", "Plan 2 · Basic", "Plan 3 · Enterprise", "Plan 4 · Team"]
    expect(page.get_by_role("button", name="Move plan 3 up")).to_be_focused()
    page.locator('[aria-label="Plan 4"] input[name$=".planName"]').focus()
    tab_to(page, "Remove plan 4", back=True, most=3)
    page.keyboard.press("Enter")
    assert plan_titles(page) == ["Plan 1 · Pro", "Plan 2 · Basic", "Plan 3 · Enterprise"]
    expect(plans.get_by_role("button", name="Undo")).to_be_focused()
    expect(add_plan).to_be_enabled()

    # 5. A draft that would not publish: the title emptied, plan 2 nameless. Saved, with what blocks publishing.
    page.fill("#cms-d-title", "")
    page.fill('[aria-label="Plan 2"] input[name$=".planName"]', "")
    revisions = BlockRevision.objects.filter(block_id=block.pk).count()
    with page.expect_navigation():
        page.click("#cms-save-draft")
    expect(page.locator(".messagelist .warning")).to_have_text(
        "Saved as a draft. Before it can be published, 2 required fields need a value: Title; "
        + SEPARATOR.join(["Plans", "2", "Plan name"])
        + "."
    )
    expect(page.locator("#cms-completion")).to_contain_text("required fields 50% filled (2 of 4)")
    assert BlockRevision.objects.filter(block_id=block.pk).count() == revisions + 1
    block.refresh_from_db()
    assert "title" not in block.data  # an emptied box is no value
    assert [plan.get("planName") for plan in block.data["plans"]] == ["Pro", None, "Enterprise"]
    story.look("draft-saved-with-warnings")

    # 6. Publish: refused with a summary that counts and links; each link moves the focus to its field.
    with page.expect_navigation():
        page.click("#cms-publish")
    summary = page.locator("#cms-error-summary")
    expect(summary.locator("h2")).to_contain_text("2 problems")
    links = summary.locator("a")
    expect(links).to_have_text(["Title", SEPARATOR.join(["Plans", "2", "Plan name"])])
    expect(page.locator("#cms-d-title")).to_be_focused()
    story.look("publish-errors")
    links.nth(1).click()
    expect(page.locator('[aria-label="Plan 2"] input[name$=".planName"]')).to_be_focused()
    page.keyboard.type("Basic")
    links.nth(0).click()
    expect(page.locator("#cms-d-title")).to_be_focused()
    page.keyboard.type("Pricing 2027")
    # 7. …and publishes what is in the form, unsaved as it is: one service call, one revision.
    revisions = BlockRevision.objects.filter(block_id=block.pk).count()
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator(".messagelist .success")).to_contain_text("Saved and published “Pricing”")
    block.refresh_from_db()
    assert block.data["title"] == "Pricing 2027"
    assert [plan["planName"] for plan in block.data["plans"]] == ["Pro", "Basic", "Enterprise"]
    assert block.published_snapshot["data"] == block.data
    assert BlockRevision.objects.filter(block_id=block.pk).count() == revisions + 1
    published = dict(block.data)
    story.look("published")

    # 8. History: compare the draft with the publish, by label, inside the list of plans.
    with page.expect_navigation():
        page.click("a.historylink")
    story.look("history")
    numbers = page.locator('input[name="from"]').evaluate_all("inputs => inputs.map(i => i.value)")
    newest, draft = numbers[0], numbers[1]
    # The list says what changed inside the plans, not "3 items → 3 items".
    expect(page.locator(f"#cms-revision-{newest} .cms-changes")).to_contain_text(
        SEPARATOR.join(["Plans", "2", "Plan name"]) + ": — → Basic"
    )
    page.check(f'input[name="from"][value="{draft}"]')
    page.check(f'input[name="to"][value="{newest}"]')
    with page.expect_navigation():
        page.click("#cms-compare-form button[type=submit]")
    expect(page.locator("#cms-compare-title")).to_contain_text(f"From revision {draft} to revision {newest}")
    changed = page.locator('#cms-compare-data tr[data-path="data.plans[1].planName"]')
    expect(changed).to_contain_text(SEPARATOR.join(["Plans", "2", "Plan name"]))
    expect(changed).to_contain_text("Basic")
    story.look("compare")

    # 9. Restore the draft: its page says what changes, then the content is the draft's again (not published).
    page.go_back()
    draft_row = page.locator("tr.cms-revision", has=page.locator("a", has_text=f"Revision {draft}"))
    with page.expect_navigation():
        draft_row.locator(".cms-restore").click()
    expect(page.locator("#cms-restore-consequence")).to_be_visible()
    story.look("restore-preview")
    with page.expect_navigation():
        page.click("#cms-restore")
    expect(page.locator(".messagelist .success")).to_contain_text("Restored")
    block.refresh_from_db()
    assert [plan.get("planName") for plan in block.data["plans"]] == ["Pro", None, "Enterprise"]
    assert block.published_snapshot["data"] == published
    expect(page.locator("#cms-state")).to_contain_text("Published, with unpublished changes")
    story.look("restored")
    # The preview lists what the restore changed since the published version.
    page.goto(f"/admin/blocks/siteblock/{block.pk}/preview/")
    expect(page.locator("#cms-preview-change-list")).to_contain_text(SEPARATOR.join(["Plans", "2", "Plan name"]))
    story.look("preview")
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")

    # 10. Bob edits the same block in another browser; Ann's save goes on top of his.
    page.fill("#cms-d-title", "Pricing 2027")
    page.fill('[aria-label="Plan 2"] input[name$=".planName"]', "Basic")
    page.fill("#cms-d-summary", "Plans for every team, monthly or yearly")
    bob = page.context.browser.new_context(
        base_url=page.url.split("/admin/")[0], viewport={"width": width, "height": height}
    ).new_page()
    try:
        log_in(bob, "bob")
        bob.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
        expect(bob.locator("#cms-presence")).to_contain_text("ann")
        bob.fill("#cms-d-website", "https://example.com/plans")
        with bob.expect_navigation():
            bob.click("#cms-save-draft")
        expect(bob.locator(".messagelist .success")).to_be_visible()
    finally:
        bob.context.close()
    with page.expect_navigation():
        page.click("#cms-save-draft")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Bob saved this block while you were editing (they changed Website); your changes were saved on top"
    )
    block.refresh_from_db()
    assert block.data["website"] == "https://example.com/plans"
    assert block.data["summary"] == "Plans for every team, monthly or yearly"
    assert [plan["planName"] for plan in block.data["plans"]] == ["Pro", "Basic", "Enterprise"]
    story.look("merged")

    # 11. Where an editor starts the next day: the dashboard and the block list.
    page.goto("/admin/")
    expect(page.locator("#content")).to_contain_text("Pricing")
    story.look("dashboard")
    page.goto("/admin/blocks/siteblock/")
    expect(page.locator("#result_list")).to_contain_text("Pricing")
    story.look("block-list")
    assert_no_csp_violation(page)
