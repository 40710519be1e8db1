"""The editor UI in a real browser: Playwright drives Debian's Chromium against the live test server.

One walk through the whole editing story (issue 7): log in, create a global block with a schema built in the
schema builder (string, image, array of links), fill the generated form, meet a nested validation error, fix
it, publish, read it back from the management API, edit again, restore the first revision, copy the block to
a second locale. A screenshot is taken at each step; on failure they are all written to `test-artifacts/`.

Chromium comes from Debian (`apt-get install -y chromium`, done here when missing), so no browser download
from Playwright's servers is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_create
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.ids import without_ids

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def ensure_chromium() -> str:
    if not Path(CHROMIUM).exists():
        apt = shutil.which("apt-get")
        assert apt, "Chromium is missing and apt-get is not available to install it"
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        result = subprocess.run([apt, "install", "-y", "-q", "chromium"], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            subprocess.run([apt, "update", "-q"], env=env, capture_output=True, check=False)
            subprocess.run([apt, "install", "-y", "-q", "chromium"], env=env, capture_output=True, check=True)
    assert Path(CHROMIUM).exists(), "apt-get install chromium did not provide /usr/bin/chromium"
    return CHROMIUM


class Steps:
    """Names the current step and keeps a screenshot of each; writes them all out if the test fails."""

    def __init__(self, page, name: str) -> None:
        self.page, self.name = page, name
        self.shots: list[tuple[str, bytes]] = []

    def step(self, label: str) -> None:
        self.shots.append((label, self.page.screenshot(full_page=True, type="jpeg", quality=60, animations="disabled")))

    def dump(self) -> Path:
        folder = ARTIFACTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        for index, (label, png) in enumerate(self.shots, 1):
            (folder / f"{index:02d}-{label}.jpg").write_bytes(png)
        try:
            (folder / f"{len(self.shots) + 1:02d}-at-failure.png").write_bytes(self.page.screenshot(full_page=True))
            (folder / "at-failure.html").write_text(self.page.content())
        except Exception:  # the page itself may be what broke
            pass
        return folder


def one_request_at_a_time(live_server) -> None:
    """On SQLite the live server's threads all use the test's one in-memory connection (Django shares it, so
    they see the test's data); two requests at once (the library's two parallel uploads, a presence heartbeat
    beside a save) then collide inside it ("cannot start a transaction within a transaction"), which no
    deployment can meet: each of its threads has a connection of its own. So there, requests take turns."""
    if connections["default"].vendor != "sqlite":
        return
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()

    def in_turn(environ, start_response):
        with lock:
            answer = app(environ, start_response)
            try:
                return list(answer)
            finally:  # Django's request_finished (closing connections) runs here, still in turn
                close = getattr(answer, "close", None)
                if close is not None:
                    close()

    server.set_app(in_turn)


@pytest.fixture
def page(transactional_db, live_server, request, monkeypatch):
    """A browser page on the live server. Playwright starts only after the database is set up, and stops
    before it is torn down: its sync API runs an event loop in this thread, which makes Django refuse ORM
    calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set (only for this test; the calls really are synchronous)."""

    executable = ensure_chromium()
    one_request_at_a_time(live_server)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        # Every Content-Security-Policy violation reaches the console: Chromium's own report ("Refused to
        # execute inline script because it violates…") and, from this init script (run by the browser, not
        # the page, so the policy does not block it), each `securitypolicyviolation` event of every page.
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'csp-violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile"
            " + ' ' + ((e.target && e.target.outerHTML) || '').slice(0, 300)));"
        )
        page = context.new_page()
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                page.csp_violations.append(f"{message.text} [{message.location}] at {page.url}")
                if "csp-violation" in message.text or "Content Security Policy" in message.text
                else None
            ),
        )
        steps = Steps(page, request.node.name)
        page.steps = steps
        yield page
        report = getattr(request.node, "rep_call", None)
        if report is None or report.failed:
            print(f"screenshots: {steps.dump()}")
        context.close()
        browser.close()
        # The test's ORM calls ran inside Playwright's sync context, which gives them a connection of their
        # own (Django keys connections by context): close it here, or PostgreSQL refuses to drop the test
        # database at the end of the run ("being accessed by other users").
        connections.close_all()


def add_field(page, list_path: str, label: str, type_name: str) -> str:
    """Click "Add field" under the list at `list_path`, set label (the name follows) and type; the row's path."""
    lst = page.locator(f'.cms-sb-list[data-path="{list_path}"]')
    lst.locator(":scope > .cms-sb-add").click()
    row = lst.locator(":scope > .cms-sb-row").last
    row.locator(".cms-sb-label").first.fill(label)
    row.locator(":scope > .cms-sb-head .cms-sb-type").select_option(type_name)
    return lst.locator(":scope > .cms-sb-row").last.get_attribute("data-path")


def save_and_continue(page) -> None:
    with page.expect_navigation():
        page.locator('[name="_continue"]').first.click()  # the add page's top row (save_on_top), or the action bar


def assert_no_csp_violation(page) -> None:
    """No policy violation was reported on any page of the test; and the policy is really enforced there: an
    inline handler slipped into the page is blocked, and reported."""
    assert page.csp_violations == [], page.csp_violations
    assert "script-src 'self'" in (page.request.get(page.url).headers.get("content-security-policy") or "")
    page.evaluate(
        'document.body.insertAdjacentHTML(\'beforeend\', \'<img id="cms-csp-probe" src="/nope.png" '
        'onerror="window.cmsCspProbe = 1">\')'
    )
    # Polled from here: Playwright's own polling of a page function evaluates a string, which this very policy
    # forbids ('unsafe-eval'), so on a slow machine it failed before the image had loaded.
    for _ in range(200):
        if page.evaluate("document.getElementById('cms-csp-probe').complete"):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)
    assert page.evaluate("window.cmsCspProbe") is None
    assert any("script-src" in text for text in page.csp_violations), page.csp_violations
    page.csp_violations.clear()


def test_editor_story_in_the_browser(page):
    site = build_site("acme", ("en", "fr"))
    user = member(site, "ed", "editor")
    steps = page.steps

    # 1. log in
    page.goto("/admin/login/?next=/admin/blocks/siteblock/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "pw-for-tests-1")
    with page.expect_navigation():
        page.click("input[type=submit]")
    expect(page.locator("#content h1")).to_contain_text("site block")
    steps.step("logged-in")

    # 2. create a global block with a schema: string, image, array of links (no JSON typed)
    page.goto("/admin/blocks/siteblock/add/")
    page.fill("#id_name", "Site header")
    title = add_field(page, "schema", "Title", "string")
    page.locator(f'.cms-sb-row[data-path="{title}"] .cms-sb-required').check()
    add_field(page, "schema", "Logo", "image")
    links = add_field(page, "schema", "Links", "array")
    items = page.locator(f'.cms-sb-row[data-path="{links}.items"]')
    items.locator(".cms-sb-type").first.select_option("object")
    add_field(page, f"{links}.items.fields", "Label", "string")
    add_field(page, f"{links}.items.fields", "URL", "url")
    steps.step("schema-built")
    save_and_continue(page)
    block = SiteBlock.objects.get(name="Site header")
    assert [f["name"] for f in block.schema] == ["title", "logo", "links"]
    assert block.schema[0]["required"] is True
    assert without_ids(block.schema[2]["items"]) == {
        "type": "object",
        "fields": [
            {"name": "label", "type": "string", "label": "Label"},
            {"name": "url", "type": "url", "label": "URL"},
        ],
    }
    steps.step("created")

    # 3. fill the data through the generated form, with a bad URL in the second link
    page.fill('input[name="d.title"]', "Acme")
    page.click('[data-name="d.logo"] .cms-asset-url summary')  # the URL form is folded under the chooser
    page.fill('input[name="d.logo.url"]', "https://cdn.example.com/logo.png")
    page.fill('input[name="d.logo.alt"]', "Acme logo")
    add_link = page.locator('.cms-array[data-name="d.links"] > .cms-add-row')
    add_link.click()
    add_link.click()
    rows = page.locator('.cms-array[data-name="d.links"] > .cms-rows > .cms-row')
    rows.nth(0).locator('input[name$=".label"]').fill("Home")
    rows.nth(0).locator('input[name$=".url"]').fill("/")
    rows.nth(1).locator('input[name$=".label"]').fill("Docs")
    rows.nth(1).locator('input[name$=".url"]').fill("not a url")
    steps.step("data-filled")
    save_and_continue(page)

    # 4. the nested error is shown beside its field; nothing was saved
    error = page.locator('[data-path="data.links[1].url"] .cms-field-error')
    expect(error).to_be_visible()
    steps.step("nested-error")
    block.refresh_from_db()
    assert block.data == {}

    # 5. fix it and save
    page.fill('[data-path="data.links[1].url"] input', "https://docs.example.com")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    block.refresh_from_db()
    first_data = {
        "title": "Acme",
        "logo": {"url": "https://cdn.example.com/logo.png", "alt": "Acme logo"},
        "links": [{"label": "Home", "url": "/"}, {"label": "Docs", "url": "https://docs.example.com"}],
    }
    assert block.data == first_data
    steps.step("saved")

    # 6. publish
    with page.expect_navigation():
        page.click("#cms-publish")
    expect(page.locator(".messagelist")).to_contain_text("Saved and published")
    steps.step("published")

    # 7. the management API returns the data (the browser's admin session authenticates it)
    answer = page.request.get(f"/api/v1/site-blocks/{block.slug}?site=acme", headers={"Accept": "application/json"})
    assert answer.ok, answer.text()
    payload = answer.json()["data"]
    assert payload["data"] == first_data
    assert payload["status"] == "published"

    # 8. edit again
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
    page.fill('input[name="d.title"]', "Acme Corporation")
    page.locator('.cms-array[data-name="d.links"] > .cms-rows > .cms-row').nth(1).locator(".cms-up").click()
    save_and_continue(page)
    block.refresh_from_db()
    assert block.data["title"] == "Acme Corporation"
    assert [link["label"] for link in block.data["links"]] == ["Docs", "Home"]
    expect(page.locator("#cms-state")).to_contain_text("Published, with unpublished changes")
    steps.step("edited-again")

    # 9. restore the first revision of the content (#2: the first saved data; #1 is the empty creation)
    page.click("a.historylink")
    expect(page.locator("#cms-history")).to_be_visible()
    steps.step("history")
    first = page.locator("tr.cms-revision", has=page.locator("a", has_text="Revision 2"))
    expect(first).to_contain_text("Updated data")
    # Compare revision 2 with the working copy: each changed value, named by its label.
    page.check('input[name="from"][value="2"]')
    page.check('input[name="to"][value="current"]')
    with page.expect_navigation():
        page.click("#cms-compare-form button[type=submit]")
    expect(page.locator("#cms-compare-title")).to_contain_text("From revision 2 to the working copy")
    expect(page.locator("#cms-compare-data")).to_be_visible()
    steps.step("compare")
    page.go_back()
    with page.expect_navigation():
        first.locator(".cms-restore").click()  # the revision's page: what restoring changes, then the button
    expect(page.locator("#cms-restore-consequence")).to_be_visible()
    with page.expect_navigation():
        page.click("#cms-restore")
    expect(page.locator(".messagelist .success")).to_contain_text("Restored")
    block.refresh_from_db()
    assert block.data == first_data
    expect(page.locator('input[name="d.title"]')).to_have_value("Acme")
    steps.step("restored")

    # 10. copy to a second locale (under the action bar's "More actions")
    page.click("#cms-more > summary")
    page.click("#cms-copy")
    page.select_option("#id_locale", "fr")
    with page.expect_navigation():
        page.click("#cms-copy-submit")
    copy = SiteBlock.objects.get(translation_key=block.translation_key, locale="fr")
    assert copy.data == first_data
    expect(page.locator('input[name="d.title"]')).to_have_value("Acme")
    expect(page.locator("#cms-state")).to_contain_text("Draft")
    steps.step("copied")
    assert user.pk
    assert_no_csp_violation(page)


ALL_TYPES_SCHEMA = [
    {"name": "headline", "type": "string"},
    {"name": "summary", "type": "text"},
    {"name": "body", "type": "richtext"},
    {"name": "count", "type": "number", "integer": True},
    {"name": "featured", "type": "boolean"},
    {"name": "size", "type": "select", "options": [{"value": "s", "label": "Small"}, "m"]},
    {"name": "topics", "type": "multiselect", "options": ["news", "tech", "art"]},
    {"name": "hero", "type": "image"},
    {"name": "brochure", "type": "file"},
    {"name": "website", "type": "url"},
    {"name": "contact", "type": "email"},
    {"name": "day", "type": "date"},
    {"name": "starts", "type": "datetime"},
    {"name": "accent", "type": "color"},
    {"name": "seo", "type": "object", "fields": [{"name": "title", "type": "string"}]},
    {"name": "keywords", "type": "array", "items": {"type": "string"}},
    {"name": "links", "type": "array"},
    {"name": "related", "type": "dataSource", "source": "blocks", "params": {"limit": 3}},
]


def test_every_widget_and_the_schema_builder_errors_in_the_browser(page):
    site = build_site("acme", ("en", "fr"))
    user = member(site, "ed", "editor")
    page.goto("/admin/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "pw-for-tests-1")
    with page.expect_navigation():
        page.click("input[type=submit]")
    steps = page.steps

    # The schema builder shows the schema checks' errors beside the row and option they concern.
    page.goto("/admin/blocks/siteblock/add/")
    page.fill("#id_name", "Sizes")
    add_field(page, "schema", "Size", "select")
    save_and_continue(page)
    error = page.locator('.cms-sb-row[data-path="schema[0]"] .cms-sb-slot-options .cms-field-error')
    expect(error).to_contain_text("Is required")
    steps.step("schema-error-in-place")
    page.locator('.cms-sb-row[data-path="schema[0]"] .cms-sb-slot-options textarea').fill("s|Small\nm")
    save_and_continue(page)
    sizes = SiteBlock.objects.get(name="Sizes")
    assert without_ids(sizes.schema) == [
        {"name": "size", "type": "select", "label": "Size", "options": [{"value": "s", "label": "Small"}, "m"]}
    ]

    # Every widget, filled as an editor would.
    block = block_create(
        actor=Actor(user=user, site=site, role="editor"), name="Everything", type="global", schema=ALL_TYPES_SCHEMA
    )
    page.goto(f"/admin/blocks/siteblock/{block.pk}/change/")
    page.fill('input[name="d.headline"]', "Big news")
    page.fill('textarea[name="d.summary"]', "Two\nlines")
    editor = page.get_by_role("textbox", name="Body")
    expect(editor).to_have_attribute("role", "textbox")
    expect(editor).to_have_attribute("aria-labelledby", re.compile(".+"))
    editor.click()
    page.keyboard.type("Hello ")
    page.keyboard.press("Control+b")
    bold = page.locator('[data-path="data.body"] .prose-menubar button[data-name="bold"]')
    expect(bold).to_have_attribute("aria-pressed", "true")  # the toolbar shows the state at the cursor, to all
    page.keyboard.type("world")
    page.keyboard.press("Control+b")
    expect(bold).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    page.keyboard.type("- one")  # Markdown-like input rule: a bulleted list
    page.keyboard.press("Enter")
    page.keyboard.type("two")
    page.fill('input[name="d.count"]', "42")
    page.check('input[name="d.featured"]')
    page.select_option('select[name="d.size"]', "s")
    page.check('input[name="d.topics"][value="news"]')
    page.check('input[name="d.topics"][value="art"]')
    page.click('[data-name="d.hero"] .cms-asset-url summary')  # the URL form is folded under the chooser
    page.fill('input[name="d.hero.url"]', "https://cdn.example.com/hero.jpg")
    page.fill('input[name="d.hero.alt"]', "A hero")
    page.click('[data-name="d.brochure"] .cms-asset-url summary')
    page.fill('input[name="d.brochure.url"]', "/files/brochure.pdf")
    page.fill('input[name="d.brochure.name"]', "Brochure")
    page.fill('input[name="d.website"]', "https://example.com")
    page.fill('input[name="d.contact"]', "hi@example.com")
    page.fill('input[name="d.day"]', "2026-11-23")
    page.fill('input[name="d.starts"]', "2026-11-23T10:30")
    page.locator('[data-path="data.accent"] .cms-color-picker').fill("#ff8800")
    page.fill('input[name="d.seo.title"]', "SEO title")
    add_keyword = page.locator('.cms-array[data-name="d.keywords"] > .cms-add-row')
    for word in ("alpha", "beta", "gamma"):
        add_keyword.click()
        page.locator('.cms-array[data-name="d.keywords"] > .cms-rows > .cms-row').last.locator("input[type=text]").fill(
            word
        )
    keyword_rows = page.locator('.cms-array[data-name="d.keywords"] > .cms-rows > .cms-row')
    keyword_rows.nth(2).locator(".cms-up").click()  # alpha, gamma, beta
    keyword_rows.nth(0).locator(".cms-remove").click()  # gamma, beta
    # a free-form list (no `items`): an item of key/value pairs, no JSON typed
    links = page.locator('.cms-array[data-name="d.links"]')
    links.locator(":scope > .cms-add-row").click()
    link = links.locator(":scope > .cms-rows > .cms-row").last
    link.locator(":scope > .cms-free-kind").select_option("object")
    expect(link.locator(':scope > [data-kinds="text number"]')).to_be_hidden()
    for key, kind, text in (("label", "text", "Home"), ("order", "number", "2")):
        link.locator(".cms-free-pairs > .cms-add-row").click()
        pair = link.locator(".cms-free-pairs .cms-row").last
        pair.locator(".cms-free-key").fill(key)
        pair.locator(".cms-free-kind").select_option(kind)
        pair.locator(".cms-free-v").fill(text)
    expect(page.locator('[data-path="data.related"]')).to_contain_text("Filled when the block is read")
    steps.step("every-widget-filled")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    block.refresh_from_db()
    body = block.data.pop("body")
    # Semantic HTML, bullets as a real list: what the sanitiser keeps as it is.
    assert body == "<p>Hello <strong>world</strong></p><ul><li><p>one</p></li><li><p>two</p></li></ul>"
    assert block.data == {
        "headline": "Big news",
        "summary": "Two\nlines",
        "count": 42,
        "featured": True,
        "size": "s",
        "topics": ["news", "art"],
        "hero": {"url": "https://cdn.example.com/hero.jpg", "alt": "A hero"},
        "brochure": {"url": "/files/brochure.pdf", "name": "Brochure"},
        "website": "https://example.com",
        "contact": "hi@example.com",
        "day": "2026-11-23",
        "starts": "2026-11-23T10:30:00Z",
        "accent": "#ff8800",
        "seo": {"title": "SEO title"},
        "keywords": ["gamma", "beta"],
        "links": [{"label": "Home", "order": 2}],
    }
    steps.step("saved")
    assert_no_csp_violation(page)
