"""The Schema tab, its review of a change, and the sticky action bar, in a real browser (issue 15, issue 18 item 3).

An editor on a "Pricing" block with a French copy: the Content page's action bar stays in view while the form
scrolls, says the state in words and "Unsaved changes" once something is typed, and fits 390 px; on the Schema
tab, rows are folded to a summary line, the type select keeps the focus under the arrow keys, the nested Add
buttons are named by their parent; renaming a field and changing a type shows the review (per locale copy)
and writes nothing until confirmed; after the confirm the content is under the new name in both copies.
axe-core finds no serious or critical problem on the schema page and the review. Screenshots of the content
page (action bar scrolled), the schema tab and the review at 1440 and 390 px go to docs/img/ (docs/editors.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_create, block_publish, block_update_data
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import assert_no_csp_violation
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import PRICING_DATA, PRICING_SCHEMA, blocking, log_in

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
WIDTHS = (1440, 390)


def doc_shot(page, name: str, *, full_page: bool = False) -> None:
    """A screenshot for docs/editors.md (the window as the editor sees it, unless `full_page`)."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=full_page, animations="disabled")


def no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{where} scrolls sideways: {widths}"


def no_blocking_axe(page, where: str) -> None:
    found = blocking(page)
    assert found == [], f"{where}: {found}"
    page.csp_violations.clear()  # axe's own injected script sets inline styles while it measures


def bar_in_view(page) -> None:
    box = page.locator("#cms-action-bar").bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (box, height)


def test_schema_tab_review_and_action_bar_in_the_browser(page):
    site = build_site("acme", ("en", "fr"))
    owner = Actor(user=member(site, "olga", "owner"), site=site, role="owner")
    member(site, "ed", "editor")
    member(site, "tina", "translator")
    data = {**PRICING_DATA, "accent": "#ff0000"}
    block = block_create(actor=owner, name="Pricing", type="global", schema=PRICING_SCHEMA, data=data)
    block = block_publish(actor=owner, block=block, expected_version=block.version)
    french = block_copy_to_locale(actor=owner, block=block, locale="fr")
    block_update_data(actor=owner, block=french, data={"title": "Tarifs"}, expected_version=None)
    block_update_data(actor=owner, block=block, data={"cta": "/start"}, expected_version=None)
    block.refresh_from_db()
    log_in(page, "ed")
    content_url = f"/admin/blocks/siteblock/{block.pk}/change/"

    # 1. The Content page: no schema builder; the action bar stays in view while scrolling, in words.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.goto(content_url)
        expect(page.locator(".cms-schema-builder")).to_have_count(0)
        expect(page.locator(".cms-tabs a[aria-current=page]")).to_have_text("Content")
        expect(page.locator(".breadcrumbs")).to_have_text(SEPARATOR.join(["Home", "Site blocks", "Pricing (en)"]))
        expect(page.locator("#cms-state")).to_contain_text("Published, with unpublished changes")
        expect(page.locator("#cms-state")).to_contain_text(f"version {block.version}")
        page.locator("#cms-d-plans-i1-planName").scroll_into_view_if_needed()
        bar_in_view(page)
        page.fill("#cms-d-plans-i1-planName", "Pro plus")
        expect(page.locator("#cms-dirty")).to_have_text("Unsaved changes")
        page.click("#cms-more > summary")  # the rarer actions open above the bar
        expect(page.locator("#cms-unpublish")).to_be_visible()
        no_sideways_scroll(page, f"the content page at {width}px")
        no_blocking_axe(page, f"content page at {width}px")
        page.click("#cms-more > summary")
        doc_shot(page, f"editor-content-bar-{width}")
        if width > 400:
            page.click("#cms-more > summary")
            doc_shot(page, f"editor-content-more-{width}")
        page.once("dialog", lambda dialog: dialog.accept())  # leaving with typed changes asks first
        page.goto(content_url)
    page.set_viewport_size({"width": 1440, "height": 900})

    # 2. The Schema tab: rows folded to a summary line; Add buttons named by their parent.
    page.click("#cms-tab-schema")
    expect(page.locator(".cms-tabs a[aria-current=page]")).to_have_text("Schema")
    rows = page.locator('.cms-sb-list[data-path="schema"] > .cms-sb-row')
    expect(rows).to_have_count(len(PRICING_SCHEMA))
    title_row = page.locator('.cms-sb-row[data-path="schema[0]"]')
    expect(title_row.locator(":scope > .cms-sb-bar .cms-sb-toggle")).to_have_attribute("aria-expanded", "false")
    expect(title_row.locator(":scope > .cms-sb-bar .cms-sb-toggle")).to_contain_text("title · string · required")
    expect(title_row.locator(":scope > .cms-sb-head")).to_be_hidden()
    page.click(".cms-sb-all")  # Expand all
    adds = page.locator(".cms-sb-add")
    texts = adds.all_inner_texts()
    assert len(texts) == len(set(texts)), texts  # no two identical buttons
    assert "Add field to each plan" in texts, texts
    page.click(".cms-sb-all")  # Collapse all
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        no_sideways_scroll(page, f"the schema page at {width}px")
        no_blocking_axe(page, f"schema page at {width}px")
        doc_shot(page, f"editor-schema-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})

    # Fields are dragged by their handle (and moved by the ↑ ↓ buttons from the keyboard): title to third place
    # and back; the summary lines follow.
    def summaries() -> list[str]:
        return [
            text.split(" · ")[0]
            for text in rows.locator(":scope > .cms-sb-bar .cms-sb-summary-facts").all_inner_texts()
        ]

    before = summaries()
    rows.nth(0).locator(":scope > .cms-sb-bar .cms-drag").drag_to(rows.nth(2).locator(":scope > .cms-sb-bar"))
    assert summaries() == [before[1], before[2], before[0], *before[3:]]
    rows.nth(2).locator(":scope > .cms-sb-bar .cms-drag").drag_to(rows.nth(0).locator(":scope > .cms-sb-bar"))
    assert summaries() == before

    # 3. Keyboard: the type select keeps the focus while the arrow keys change the type (the row is redrawn).
    cta = page.locator('.cms-sb-row[data-path="schema[3]"]')
    cta.locator(":scope > .cms-sb-bar .cms-sb-toggle").click()
    select = cta.locator(":scope > .cms-sb-head .cms-sb-type")
    select.focus()
    page.keyboard.press("ArrowUp")  # url → file
    expect(page.locator('.cms-sb-row[data-path="schema[3]"] > .cms-sb-head .cms-sb-type')).to_be_focused()
    page.keyboard.press("ArrowDown")  # back to url
    expect(page.locator('.cms-sb-row[data-path="schema[3]"] > .cms-sb-head .cms-sb-type')).to_be_focused()
    expect(page.locator('.cms-sb-row[data-path="schema[3]"] > .cms-sb-head .cms-sb-type')).to_have_value("url")

    # 4. Rename "title" to "headline" and make the call to action a plain string; Save shows the review.
    title_row.locator(":scope > .cms-sb-bar .cms-sb-toggle").click()
    title_row.locator(":scope > .cms-sb-head .cms-sb-name").fill("headline")
    expect(page.locator("#cms-dirty")).to_have_text("Unsaved changes")
    page.locator('.cms-sb-row[data-path="schema[3]"] > .cms-sb-head .cms-sb-type').select_option("string")
    # and the accent colour a number: a colour cannot become one, so the review lists it as kept aside
    accent = page.locator('.cms-sb-row[data-path="schema[2]"]')
    accent.locator(":scope > .cms-sb-bar .cms-sb-toggle").click()
    accent.locator(":scope > .cms-sb-head .cms-sb-type").select_option("number")
    before = [(b.version, b.schema, b.data) for b in SiteBlock.objects.filter(pk__in=[block.pk, french.pk])]
    revisions = BlockRevision.objects.count()
    with page.expect_navigation():
        page.click("#cms-save-schema")
    expect(page.locator("#content h1")).to_contain_text("Review the schema change")
    english = page.locator("#cms-review-en")
    expect(english.locator(".cms-review-moved")).to_have_text("Title → Headline")
    expect(english.locator(".cms-review-converted")).to_contain_text("Call to action: url → string")
    expect(page.locator("#cms-review-fr .cms-review-moved")).to_contain_text("Title")
    expect(page.locator(".cms-review-fields")).to_contain_text("Title title → Headline headline: renamed")
    expect(english.locator(".cms-review-failed")).to_have_text(
        "Accent (color → number): No conversion from color to number. Kept as accent~2."
    )
    expect(english.locator(".cms-review-orphaned")).to_have_count(0)  # said once, on the failure line
    expect(page.locator("#cms-review-totals")).to_have_text(
        "3 fields change. In 2 locale copies: 2 values move, 2 are converted, 2 are kept aside as orphans"
        " (not shown in the form, not published, never deleted)."
    )
    assert [(b.version, b.schema, b.data) for b in SiteBlock.objects.filter(pk__in=[block.pk, french.pk])] == before
    assert BlockRevision.objects.count() == revisions  # nothing written before the confirm
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        no_sideways_scroll(page, f"the review at {width}px")
        no_blocking_axe(page, f"schema review at {width}px")
        doc_shot(page, f"editor-schema-review-{width}", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})

    # 5. Confirm: the content is under the new name, in both copies; the page says what happened.
    with page.expect_navigation():
        page.click("#cms-confirm-yes")
    expect(page.locator(".messagelist .success")).to_contain_text("Schema saved. In 2 locale copies: 2 values moved")
    saved = SiteBlock.objects.get(pk=block.pk)
    french.refresh_from_db()
    assert (saved.data["headline"], saved.data["cta"], "title" in saved.data) == ("Pricing", "/start", False)
    assert (saved.data["accent~2"], "accent" in saved.data) == ("#ff0000", False)  # kept aside, not lost
    assert (french.data["headline"], "title" in french.data) == ("Tarifs", False)
    assert [f["name"] for f in saved.schema][:1] == ["headline"] and saved.schema[3]["type"] == "string"
    page.click("#cms-tab-content")
    expect(page.locator("#cms-d-headline")).to_have_value("Pricing")

    # 6. A translator sees no Schema tab.
    page.context.clear_cookies()
    log_in(page, "tina")
    page.goto(f"/admin/blocks/siteblock/{french.pk}/change/")
    expect(page.locator(".cms-tabs")).to_be_visible()
    expect(page.locator("#cms-tab-schema")).to_have_count(0)
    assert_no_csp_violation(page)
