"""Releases and the live preview panel in a real browser (Debian Chromium via Playwright; `-m browser`).

1. The live preview panel: the site's Preview URL points at the example frontend's preview route
   (`examples/frontend/preview.mjs`, a real Node HTTP server on a loopback port, reading the delivery API of the
   live test server with the preview token). Opened beside the form, it shows the working copy; Save draft saves
   in place and the frontend, told by postMessage, acknowledges and shows the new value. Without a Preview URL
   the panel shows the built-in preview, reloaded after a save.
2. Releases: a block is added from its page; the release list and page; a publish refused for an empty required
   field (named per item and field); fixed, published through its confirm page; rolled back through its own.

axe-core finds no serious or critical violation on these pages, at 1440 and 390 px; screenshots at both widths
go to `test-artifacts/releases/`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import BlockStatus, SiteBlock
from blocks.services import block_create, block_publish
from releases.models import Release, ReleaseStatus
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS, assert_no_csp_violation
from tests.editor.test_admin_browser import page as page

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "releases"
WIDTHS = (1440, 390)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "frontend"
SCHEMA = [{"name": "title", "type": "string", "required": True, "label": "Headline"}]


def blocking(page) -> list[dict]:
    results = Axe().run(page)
    return [
        {"rule": v["id"], "impact": v["impact"], "targets": [node["target"] for node in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page, name: str) -> None:
    """At both widths: a screenshot, and no serious or critical axe finding on the whole page."""
    assert page.csp_violations == [], page.csp_violations
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True, animations="disabled")
        found = blocking(page)
        assert found == [], f"{name} at {width}px: {found}"
        if width == 390:  # nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.csp_violations.clear()
    page.set_viewport_size({"width": 1440, "height": 900})


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    with page.expect_navigation():
        page.click("input[type=submit]")


@pytest.fixture
def frontend(live_server):
    """The example frontend's preview route on a free loopback port, reading the live server's delivery API."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the example frontend cannot run")
    env = {"CMS_URL": live_server.url, "CMS_SITE": "acme", "PORT": "0", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([node, "preview.mjs"], cwd=EXAMPLE, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_live_preview_panel_refreshes_the_frontend_on_save(page, frontend):
    site = build_site("acme", ("en",))
    site.preview_url = f"{frontend}/preview?slug={{slug}}&locale={{locale}}&token={{token}}"
    site.save()
    owner = member(site, "olga", "owner")
    block = block_create(
        actor=Actor(user=owner, site=site, role="owner"),
        name="Hero",
        type="global",
        schema=SCHEMA,
        data={"title": "Spring sale"},
    )
    log_in(page, "olga")
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
    change_url = page.url

    toggle = page.locator("#cms-live-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("#cms-live-frame")
    expect(frame.locator("h1")).to_have_text("Spring sale")
    check(page, "live-preview-open")

    page.locator('[name="d.title"]').fill("Summer sale")
    page.click("#cms-save-draft")
    expect(frame.locator("h1")).to_have_text("Summer sale")
    expect(page.locator("#cms-live-status")).to_contain_text("the frontend refreshed itself")
    assert page.url == change_url  # saved in place
    block.refresh_from_db()
    assert block.data == {"title": "Summer sale"} and block.status == BlockStatus.DRAFT
    expect(page.locator("#cms-state")).to_contain_text(f"version {block.version}")
    expect(page.locator("#cms-dirty")).to_have_text("")
    # A second save uses the new version (no stale write).
    page.locator('[name="d.title"]').fill("Summer sale, 20% off")
    page.click("#cms-save-draft")
    expect(frame.locator("h1")).to_have_text("Summer sale, 20% off")
    check(page, "live-preview-saved")

    # Without a Preview URL: the built-in preview in the panel, reloaded after a save (no one acknowledges).
    site.preview_url = ""
    site.save()
    page.reload()
    expect(page.locator("#cms-live-toggle")).to_have_attribute("aria-expanded", "true")  # remembered
    builtin = page.frame_locator("#cms-live-frame")
    expect(builtin.locator("#cms-preview-working h1")).to_contain_text("Working copy")
    page.locator('[name="d.title"]').fill("Autumn sale")
    page.click("#cms-save-draft")
    expect(page.locator("#cms-live-status")).to_contain_text("preview reloaded", timeout=5000)
    expect(builtin.locator('#cms-preview-working [name="d.title"]')).to_have_value("Autumn sale")
    check(page, "live-preview-builtin")
    assert_no_csp_violation(page)


def test_release_list_page_publish_and_rollback_in_the_browser(page):
    site = build_site("acme", ("en", "fr"))
    site.timezone = "Europe/Paris"
    site.save()
    owner = member(site, "olga", "owner")
    actor = Actor(user=owner, site=site, role="owner")
    hero = block_create(actor=actor, name="Hero", type="global", schema=SCHEMA, data={"title": "Spring"})
    promo = block_create(actor=actor, name="Promo", type="global", schema=SCHEMA, data={"title": "Old"})
    promo = block_publish(actor=actor, block=promo, expected_version=None)
    pricing = block_create(actor=actor, name="Pricing", type="global", schema=SCHEMA, data={"title": ""})
    log_in(page, "olga")

    page.goto("/admin/releases/release/add/")
    page.fill("#id_name", "Spring campaign")
    page.fill("#id_description", "The spring header, pricing and the old promo out.")
    page.click("#cms-release-create")
    expect(page.locator("h1")).to_contain_text("Spring campaign")
    release = Release.objects.get(name="Spring campaign")

    for block, action in ((hero, "publish"), (pricing, "publish"), (promo, "unpublish")):
        page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
        page.click("#cms-more > summary")
        page.click("#cms-add-to-release-link")
        page.check(f'input[name="release"][value="{release.pk}"]')
        page.check(f'input[name="action"][value="{action}"]')
        if block is hero:
            check(page, "add-to-release")
        page.click("#cms-add-to-release-save")
        expect(page.locator(".messagelist")).to_contain_text("Added to")

    page.goto("/admin/releases/release/")
    expect(page.locator("#result_list")).to_contain_text("Spring campaign")
    check(page, "release-list")

    page.goto(f"/admin/releases/release/{release.pk}/change/")
    expect(page.locator("#cms-release-items tbody tr")).to_have_count(3)
    page.click("#cms-release-publish")
    expect(page.locator("#cms-confirm")).to_contain_text("in one transaction")
    check(page, "release-publish-confirm")
    page.click("#cms-confirm-yes")
    summary = page.locator("#cms-error-summary")
    expect(summary).to_contain_text("1 problem: nothing was published")
    expect(summary).to_contain_text("Pricing (en) · Headline: Must be present and non-empty.")
    check(page, "release-publish-refused")
    assert SiteBlock.objects.get(pk=hero.pk).status == BlockStatus.DRAFT

    summary.get_by_role("link", name="Pricing (en)").click()
    page.locator('[name="d.title"]').fill("From 5 €")
    page.click("#cms-save-draft")
    page.goto(f"/admin/releases/release/{release.pk}/change/")
    expect(page.locator(".cms-conflict-flag")).to_have_count(1)
    check(page, "release-conflict")
    page.click("#cms-release-publish")
    page.check("#cms-accept-yes")
    page.click("#cms-confirm-yes")
    expect(page.locator(".messagelist")).to_contain_text("every item went live in one transaction")
    expect(page.locator("#cms-state")).to_contain_text("Published")
    check(page, "release-published")
    assert {b.slug: b.status for b in SiteBlock.objects.filter(site=site)} == {
        "hero": "published",
        "pricing": "published",
        "promo": "draft",
    }

    page.click("#cms-release-rollback")
    expect(page.locator("#cms-confirm")).to_contain_text("what was live before this release went live")
    check(page, "release-rollback-confirm")
    page.click("#cms-confirm-yes")
    expect(page.locator("#cms-state")).to_contain_text("Rolled back")
    assert Release.objects.get(pk=release.pk).status == ReleaseStatus.ROLLED_BACK
    assert {b.slug: b.status for b in SiteBlock.objects.filter(site=site)} == {
        "hero": "draft",
        "pricing": "draft",
        "promo": "published",
    }
    assert json.loads(json.dumps(SiteBlock.objects.get(pk=promo.pk).published_snapshot))["data"] == {"title": "Old"}
    assert_no_csp_violation(page)
