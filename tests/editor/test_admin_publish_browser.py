"""The first slice of issue 15 in a real browser (Debian Chromium via Playwright; `-m browser`).

An editor on a "Pricing" block with nested plans: the unsaved-changes guard, Enter that does not submit,
Publish from unsaved edits that fail (the summary counts and links the problems, the first has the focus),
fixing them through the links and publishing what is in the form, moving a plan by keyboard, and Unpublish's
confirm page. axe-core (axe-playwright-python) runs on the block list and on the edit page with errors at
1440 and 390 px; screenshots of the edit page with errors at both widths go to `test-artifacts/editor-slice/`.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_create, block_publish
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS, assert_no_csp_violation
from tests.editor.test_admin_browser import page as page

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "editor-slice"
WIDTHS = (1440, 390)
BLOCKING = ("serious", "critical")
#: what this slice built or changed on the pages it checks: axe must find no serious or critical problem here
TOUCHED = [
    "#cms-content",
    "#cms-error-summary",
    "#cms-action-bar",
    ".cms-tabs",
    "#cms-confirm",
    "#changelist-form .actions",
    ".cms-compare-page",
    "#cms-preview-changes",
    ".cms-preview",
    "#cms-history",
]
#: Serious or critical findings axe reports OUTSIDE the parts above, on pages this slice did not redo (Django's
#: own admin chrome and the schema builder, which issue 15 moves to its own tab later). Recorded so that the
#: test fails when they grow; see docs/decisions.md "Editor: axe baseline".
BASELINE: dict[str, int] = {}

PRICING_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "intro", "type": "richtext"},
    {"name": "accent", "type": "color"},
    {"name": "cta", "type": "url", "label": "Call to action"},
    {
        "name": "plans",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [
                {"name": "planName", "type": "string", "required": True},
                {"name": "price", "type": "number"},
                {"name": "features", "type": "array", "items": {"type": "string"}},
            ],
        },
    },
]
PRICING_DATA = {
    "title": "Pricing",
    "cta": "/signup",
    "plans": [
        {"planName": "Basic", "price": 5, "features": ["1 site"]},
        {"planName": "Pro", "price": 9, "features": ["5 sites", "Support"]},
    ],
}


def blocking(page, context=None) -> list[dict]:
    """axe's serious and critical violations on the page (or in `context`), as rule, impact and targets."""
    results = Axe().run(page, context=context)
    return [
        {"rule": v["id"], "impact": v["impact"], "targets": [node["target"] for node in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def check_axe(page, where: str) -> None:
    """No serious or critical violation in what this slice touched; the rest of the page no worse than known."""
    # The page itself broke no Content-Security-Policy rule so far; axe's own injected script does (it sets
    # inline styles while it measures), so what is reported during its run is not the product's.
    assert page.csp_violations == [], page.csp_violations
    present = [selector for selector in TOUCHED if page.locator(selector).count()]
    touched = blocking(page, {"include": [[selector] for selector in present]}) if present else []
    assert touched == [], f"{where}: {touched}"
    rest = blocking(page)
    counts: dict[str, int] = {}
    for violation in rest:
        counts[violation["rule"]] = counts.get(violation["rule"], 0) + len(violation["targets"])
    page.csp_violations.clear()
    worse = {rule: n for rule, n in counts.items() if n > BASELINE.get(rule, 0)}
    assert worse == {}, f"{where}: new serious/critical axe findings {worse}: {rest}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_publish_errors_guard_and_confirmations_in_the_browser(page):
    site = build_site("acme", ("en", "fr"))
    owner = member(site, "olga", "owner")
    member(site, "ed", "editor")
    actor = Actor(user=owner, site=site, role="owner")
    block = block_create(actor=actor, name="Pricing", type="global", schema=PRICING_SCHEMA, data=PRICING_DATA)
    block = block_publish(actor=actor, block=block, expected_version=block.version)
    log_in(page, "ed")
    change = f"/admin/blocks/siteblock/{block.pk}/change/"

    # The block list, at both widths.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/blocks/siteblock/")
        check_axe(page, f"block list at {width}px")
    page.set_viewport_size({"width": 1440, "height": 900})

    # 1. Leaving with typed changes asks first; dismissing keeps the editor on the page with the text.
    page.goto(change)
    page.fill("#cms-d-title", "Pricing 2027")
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("a.historylink")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(change)
    expect(page.locator("#cms-d-title")).to_have_value("Pricing 2027")

    # 2. Enter in a text box does not submit the form.
    page.locator("#cms-d-plans-i1-planName").press("Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith(change)
    assert SiteBlock.objects.get(pk=block.pk).version == block.version

    # 3. Publish from unsaved edits that cannot be published: nothing saved; the summary counts and links.
    revisions = BlockRevision.objects.filter(block_id=block.pk).count()
    page.fill("#cms-d-title", "")
    page.fill("#cms-d-plans-i1-planName", "")
    with page.expect_navigation():
        page.click("#cms-publish")
    summary = page.locator("#cms-error-summary")
    expect(summary.locator("h2")).to_have_text("2 problems: nothing was saved")
    links = summary.locator("a")
    expect(links).to_have_text(["Title", SEPARATOR.join(["Plans", "2", "Plan name"])])
    expect(page.locator("#cms-d-title")).to_be_focused()  # the first problem has the focus
    expect(page.locator("#cms-dirty")).to_have_text("Unsaved changes")  # what is on the page was not saved
    expect(page.locator("#cms-d-title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cms-d-plans-i1-planName")).to_have_attribute(
        "aria-describedby", "cms-d-plans-i1-planName-error"
    )
    stored = SiteBlock.objects.get(pk=block.pk)
    assert (stored.version, stored.data, stored.published_snapshot["data"]) == (
        block.version,
        PRICING_DATA,
        PRICING_DATA,
    )
    assert BlockRevision.objects.filter(block_id=block.pk).count() == revisions

    for width in WIDTHS:  # axe and screenshots of the page with errors
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        check_axe(page, f"edit page with errors at {width}px")
        content = page.locator("#cms-content").evaluate("n => [n.scrollWidth, n.clientWidth]")
        assert content[0] <= content[1], f"the content form scrolls sideways at {width}px: {content}"
        shot(page, f"edit-errors-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})

    # 4. The second link moves the focus to plan 2's name; fix both and publish what is in the form.
    links.nth(1).click()
    expect(page.locator("#cms-d-plans-i1-planName")).to_be_focused()
    page.keyboard.type("Pro plus")
    page.fill("#cms-d-title", "Pricing 2027")
    # 5. Move plan 2 up by keyboard: the focus stays on the button, whose name follows the row.
    up = page.locator('[aria-label="Move plan 2 up"]')
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator('[aria-label="Move plan 1 up"]')).to_be_focused()
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator(".messagelist .success")).to_contain_text("Saved and published “Pricing”")
    stored = SiteBlock.objects.get(pk=block.pk)
    assert stored.data["title"] == "Pricing 2027"
    assert [plan["planName"] for plan in stored.data["plans"]] == ["Pro plus", "Basic"]
    assert stored.published_snapshot["data"] == stored.data and not stored.has_unpublished_changes
    assert BlockRevision.objects.filter(block_id=block.pk).count() == revisions + 1

    # 6. After a save there is nothing to guard: leaving asks nothing.
    page.once("dialog", dismiss)
    with page.expect_navigation():
        page.click("a.historylink")
    assert dialogs == ["beforeunload"]
    expect(page.locator(".cms-restore").first).to_have_text("Restore…")

    # 7. Unpublish says what will happen and waits for the Yes.
    page.goto(change)
    page.click("#cms-more > summary")
    with page.expect_navigation():
        page.click("#cms-unpublish")
    expect(page.locator(".cms-consequence")).to_contain_text("The delivery API stops serving it at once")
    check_axe(page, "unpublish confirm page")
    assert SiteBlock.objects.get(pk=block.pk).status == "published"
    with page.expect_navigation():
        page.click("#cms-confirm-yes")
    expect(page.locator(".messagelist .success")).to_contain_text("Unpublished")
    assert SiteBlock.objects.get(pk=block.pk).status == "draft"
    assert_no_csp_violation(page)
