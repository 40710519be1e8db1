"""A translator on a fr copy's edit page, in a real browser (`-m browser`): the states in words, shared fields
locked, a per-locale name and path saved; axe-core finds nothing serious or critical at 1440 and 390 px. Then
the whole story (`test_the_translators_story`): copy, dashboard, the workspace, outdated with old → new, keep,
complete, the grouped list; its screenshots go to `test-artifacts/translators/`.

The screenshots of that page at both widths are written to docs/img/ (the translators' guide shows them):
run this test after changing the page and look at them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_create, block_publish, block_update_data
from editor.problems import SEPARATOR
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import blocking, check_axe, log_in

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
WIDTHS = (1440, 390)

SCHEMA = [
    {"name": "title", "type": "string", "required": True, "label": "Title"},
    {"name": "intro", "type": "text", "label": "Introduction"},
    {"name": "discount", "type": "number", "label": "Discount (%)"},
    {"name": "accent", "type": "color", "label": "Accent colour"},
    {
        "name": "plans",
        "type": "array",
        "label": "Plans",
        "items": {
            "type": "object",
            "fields": [
                {"name": "name", "type": "string", "label": "Plan name"},
                {"name": "price", "type": "number", "label": "Price"},
            ],
        },
    },
]
DATA = {
    "title": "Pricing",
    "intro": "Simple plans for every team.",
    "discount": 20,
    "accent": "#0f766e",
    "plans": [{"name": "Basic", "price": 5}, {"name": "Pro", "price": 15}],
}


def test_a_translator_on_a_fr_copy(page):
    site = build_site("acme", ("en", "fr"))
    owner = member(site, "olga", "owner")
    member(site, "tom", "translator")
    actor = Actor(user=owner, site=site, role="owner")
    en = block_create(actor=actor, name="Pricing", type="page", path="/pricing", schema=SCHEMA, data=DATA)
    en = block_publish(actor=actor, block=en, expected_version=en.version)
    fr = block_copy_to_locale(actor=actor, block=en, locale="fr")
    plans = [{"name": "Essentiel", "price": 5}, {"name": "Pro", "price": 15}]
    fr = block_update_data(actor=actor, block=fr, data={"title": "Tarifs", "plans": plans}, expected_version=None)
    block_update_data(actor=actor, block=en, data={"title": "Our pricing"}, expected_version=None)  # fr: outdated
    log_in(page, "tom")
    change = f"/admin/blocks/siteblock/{fr.pk}/change/"
    page.goto(change)

    summary = page.locator("#cms-tr-summary")
    expect(summary).to_have_text("This fr copy translates en: 1 of 4 fields translated, 1 outdated, 2 untranslated.")
    expect(page.locator("#cms-d-title-tr")).to_have_text("Outdated: the en source changed since it was translated")
    expect(page.locator("#cms-d-intro-tr")).to_have_text("Untranslated: still the copied en text")
    expect(page.locator("#cms-d-plans-i0-name-tr")).to_have_text("Translated")
    expect(page.locator("#cms-d-discount")).to_be_disabled()
    expect(page.locator("#cms-d-discount-tr")).to_have_text("Shared with en: read-only here, edited in the en copy")
    expect(page.locator("#cms-copy")).to_have_count(0)  # the only other locale, en, is the editors'

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        check_axe(page, f"fr copy's edit page at {width}px")
        content = page.locator("#cms-content").evaluate("n => [n.scrollWidth, n.clientWidth]")
        assert content[0] <= content[1], f"the content form scrolls sideways at {width}px: {content}"
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.locator("#cms-content").screenshot(
            path=str(DOCS_IMG / f"translator-copy-{width}.png"), animations="disabled"
        )
    page.set_viewport_size({"width": 1440, "height": 900})

    # The translator retranslates the title, translates the intro, sets the French name and path, and saves.
    page.fill("#cms-d-title", "Nos tarifs")
    page.fill("#cms-d-intro", "Des formules simples pour chaque équipe.")
    page.fill("#id_name", "Tarifs")
    page.fill("#id_path", "/tarifs")
    with page.expect_navigation():
        page.locator('[name="_continue"]').first.click()
    stored = SiteBlock.objects.get(pk=fr.pk)
    assert (stored.name, stored.path, stored.data["title"], stored.data["discount"]) == (
        "Tarifs",
        "/tarifs",
        "Nos tarifs",
        20,
    )
    expect(page.locator("#cms-tr-summary")).to_have_text(
        "This fr copy translates en: 3 of 4 fields translated, 0 outdated, 1 untranslated."
    )
    expect(page.locator("#cms-d-plans-i1-name-tr")).to_have_text("Untranslated: still the copied en text")


SHOTS = ARTIFACTS / "translators"
#: the parts of the pages this story built (the workspace, the dashboard, the grouped list): axe must find no
#: serious or critical problem in them; the rest of each page is held to the editor slice's baseline (`check_axe`)
WORKSPACE_PARTS = ["#cms-content", "#cms-dashboard", "#result_list", "#cms-review-state", "#cms-review-submit"]


def look(page, name: str) -> None:
    """axe on the story's parts and the whole page, and a full-page screenshot, at 1440 and 390 px."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        check_axe(page, f"{name} at {width}px")  # first: it also asserts the page broke no CSP rule
        present = [[selector] for selector in WORKSPACE_PARTS if page.locator(selector).count()]
        assert present, f"{name}: none of the story's parts is on the page"
        assert blocking(page, {"include": present}) == [], f"{name} at {width}px"
        page.csp_violations.clear()  # axe's own inline styles, as check_axe does
        wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1], f"{name} scrolls sideways at {width}px: {wide}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True, animations="disabled")
    page.set_viewport_size({"width": 1440, "height": 900})


def save(page) -> None:
    with page.expect_navigation():
        page.locator('[name="_continue"]').first.click()


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def test_the_translators_story(page):
    """Copy en → fr as an editor; translate beside the source as a translator; the source changes; exactly
    those fields are outdated with old → new; keep one, retranslate another; complete."""
    site = build_site("acme", ("en", "fr"))
    owner = member(site, "olga", "owner")
    member(site, "ed", "editor")
    member(site, "tom", "translator")
    actor = Actor(user=owner, site=site, role="owner")
    en = block_create(actor=actor, name="Pricing", type="page", path="/pricing", schema=SCHEMA, data=DATA)
    en = block_publish(actor=actor, block=en, expected_version=en.version)

    # The editor copies the page into French.
    log_in(page, "ed")
    page.goto(f"/admin/blocks/siteblock/{en.pk}/change/")
    expect(page.locator("#cms-copy")).to_have_count(1)
    page.goto(f"/admin/blocks/siteblock/{en.pk}/copy/")
    page.select_option("#id_locale", "fr")
    with page.expect_navigation():
        page.click("#cms-copy-submit")
    fr = SiteBlock.objects.get(translation_key=en.translation_key, locale="fr")
    change = f"/admin/blocks/siteblock/{fr.pk}/change/"

    # The translator's dashboard: the fresh copy waits, nothing translated.
    switch_user(page, "tom")
    page.goto("/admin/")
    waiting = page.locator("#panel-translator_waiting")
    expect(waiting).to_contain_text("Pricing (fr)")
    expect(waiting).to_contain_text("4 untranslated · 0 translated")
    look(page, "1-translator-dashboard")
    page.locator("#panel-translator_waiting a", has_text="Pricing (fr)").click()
    page.wait_for_url(f"**{change}")
    expect(page.locator("#cms-tr-summary")).to_contain_text("0 of 4 fields translated, 0 outdated, 4 untranslated.")
    expect(page.locator("#cms-copy")).to_have_count(0)  # its only other locale, en, is the editors'
    # Each localized field beside its source, read only; the shared fields locked, naming the source locale.
    title = page.locator('[data-path="data.title"]')
    expect(title.locator(".cms-tr-source")).to_contain_text("Pricing")
    expect(page.locator('[data-path="data.plans[1].name"] .cms-tr-source')).to_contain_text("Pro")
    expect(page.locator("#cms-d-discount")).to_be_disabled()
    expect(page.locator("#cms-d-discount-tr")).to_have_text("Shared with en: read-only here, edited in the en copy")
    look(page, "2-fresh-copy")

    page.fill("#cms-d-title", "Tarifs")
    page.fill("#cms-d-intro", "Des formules simples pour chaque équipe.")
    page.fill("#cms-d-plans-i0-name", "Essentiel")
    page.fill("#id_name", "Tarifs")
    page.fill("#id_path", "/tarifs")
    save(page)
    expect(page.locator("#cms-tr-summary")).to_contain_text("3 of 4 fields translated, 0 outdated, 1 untranslated.")
    # "Pro" is right in French as it is: keep it.
    with page.expect_navigation():
        page.click('button[name="_keep"][value="plans[1].name"]')
    expect(page.locator(".messagelist")).to_contain_text(f"“Plans{SEPARATOR}2{SEPARATOR}Plan name” kept as translated")
    expect(page.locator("#cms-tr-summary")).to_contain_text("4 of 4 fields translated")

    # A shared value inside a plan is locked too, naming the locale where it is changed; the plans' rows are the
    # source's (no add, move or remove here).
    expect(page.locator("#cms-d-plans-i0-price")).to_be_disabled()
    expect(page.locator("#cms-d-plans-i0-price-tr")).to_have_text(
        "Shared with en: read-only here, edited in the en copy"
    )
    expect(page.locator('[data-path="data.plans"] .cms-add-row')).to_have_count(0)
    expect(page.locator('[data-path="data.plans"] .cms-tr-rows')).to_have_text(
        "The plans follow the en copy: rows are added, removed and reordered there."
    )
    stored = SiteBlock.objects.get(pk=fr.pk)
    assert (stored.name, stored.path, stored.data["plans"][0]["price"]) == ("Tarifs", "/tarifs", 5)
    look(page, "3-translated")

    # Ready for review: the hand-off from the copy's page, with a comment; the owner finds it waiting.
    with page.expect_navigation():
        page.click("#cms-tr-handoff a")
    page.fill("#id_submit_comment", "French copy ready")
    with page.expect_navigation():
        page.click("#cms-review-submit-button")
    expect(page.locator(".messagelist .success")).to_contain_text("Submitted for review")
    expect(page.locator("#cms-review-state")).to_contain_text("Waiting for review.")
    look(page, "3b-ready-for-review")
    switch_user(page, "olga")
    page.goto("/admin/")
    expect(page.locator("#panel-reviews_waiting")).to_contain_text("Tarifs (fr)")
    expect(page.locator("#panel-reviews_waiting")).to_contain_text("asked by tom")

    # The editor changes the source: the title, the introduction and the discount.
    switch_user(page, "ed")
    page.goto(f"/admin/blocks/siteblock/{en.pk}/change/")
    page.fill("#cms-d-title", "Our pricing")
    page.fill("#cms-d-intro", "Simple plans for every team, billed monthly.")
    page.fill("#cms-d-discount", "25")
    save(page)
    page.goto("/admin/")  # the editor's dashboard: the French copy is now an outdated translation
    expect(page.locator("#panel-outdated_translations")).to_contain_text("Tarifs (fr)")
    expect(page.locator("#panel-outdated_translations")).to_contain_text("2 outdated, 0 untranslated")
    look(page, "4-editor-dashboard")

    # The translator finds exactly those two fields outdated, each with old → new; the discount followed.
    switch_user(page, "tom")
    page.goto(change)
    expect(page.locator("#cms-tr-summary")).to_contain_text("2 of 4 fields translated, 2 outdated, 0 untranslated.")
    expect(page.locator(".cms-tr-note-outdated")).to_have_count(2)
    expect(page.locator('[data-path="data.title"] .cms-tr-change')).to_have_text("Changed in en: Pricing → Our pricing")
    expect(page.locator('[data-path="data.intro"] .cms-tr-change')).to_have_text(
        "Changed in en: Simple plans for every team. → Simple plans for every team, billed monthly."
    )
    expect(page.locator("#cms-d-discount")).to_have_value("25")
    look(page, "5-outdated")
    # The title's French is still right ("Tarifs"): keep it. The introduction is retranslated.
    page.fill("#cms-d-intro", "Des formules simples pour chaque équipe, facturées au mois.")
    with page.expect_navigation():
        page.click('button[name="_keep"][value="title"]')
    expect(page.locator("#cms-tr-summary")).to_contain_text("4 of 4 fields translated, 0 outdated, 0 untranslated.")
    stored = SiteBlock.objects.get(pk=fr.pk)
    assert stored.data["intro"] == "Des formules simples pour chaque équipe, facturées au mois."
    look(page, "6-complete")

    # The list: the copy under its source, complete.
    page.goto("/admin/blocks/siteblock/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.nth(0)).to_contain_text("Pricing")
    expect(rows.nth(1)).to_contain_text("Tarifs (fr copy)")
    expect(rows.nth(1)).to_contain_text("fr: complete")
    look(page, "7-block-list")
    page.goto("/admin/")
    expect(page.locator("#panel-translator_waiting")).to_have_count(0)  # nothing waits any more
