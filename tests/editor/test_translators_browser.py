"""A translator on a fr copy's edit page, in a real browser (`-m browser`): the states in words, shared fields
locked, a per-locale name and path saved; axe-core finds nothing serious or critical at 1440 and 390 px.

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
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import check_axe, log_in

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
