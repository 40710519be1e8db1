"""The translation exchange page in a real browser (`-m browser`): an owner sets up a machine translation
provider (a loopback server speaking the DeepL API), a translator downloads a file, imports it back and
pre-translates; axe-core finds nothing serious or critical at 1440 and 390 px. Screenshots go to
test-artifacts/translation-exchange/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from translate.storage import po

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_create
from tests.api.test_machine_translation import KEY, FakeProvider, deepl_answer
from tests.conftest import build_site
from tests.editor.conftest import member
from tests.editor.test_admin_browser import ARTIFACTS
from tests.editor.test_admin_browser import page as page
from tests.editor.test_admin_publish_browser import blocking, check_axe, log_in

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "translation-exchange"
SCHEMA = [
    {"name": "title", "type": "string", "label": "Title", "maxLength": 40},
    {"name": "body", "type": "richtext", "label": "Body"},
]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def test_export_import_and_pre_translate_in_the_browser(page, tmp_path):
    site = build_site("acme", ("en", "fr"))
    owner = member(site, "olga", "owner")
    member(site, "tom", "translator")
    actor = Actor(user=owner, site=site, role="owner")
    for name in ("Home", "Pricing"):
        block = block_create(
            actor=actor,
            name=name,
            type="global",
            schema=SCHEMA,
            data={"title": name, "body": "<p>Hello <strong>you</strong></p>"},
        )
        block_copy_to_locale(actor=actor, block=block, locale="fr")
    server = FakeProvider(deepl_answer)
    try:
        log_in(page, "olga")
        page.goto("/admin/blocks/siteblock/")
        page.click("#cms-translation-exchange-link")
        expect(page.locator("h1")).to_have_text("Translation exchange")
        page.select_option("#id_provider-provider", "deepl")
        page.fill("#id_provider-base_url", server.url)
        page.fill("#id_provider-api_key", KEY)
        with page.expect_navigation():
            page.click("#cms-provider-submit")
        expect(page.locator(".messagelist")).to_contain_text("The machine translation provider is saved.")
        assert KEY not in page.content()

        page.context.clear_cookies()
        log_in(page, "tom")
        page.goto("/admin/blocks/machinetranslationconfig/")
        expect(page.locator("#cms-provider-form")).to_have_count(0)
        page.select_option("#id_export-format", "po")
        page.select_option("#id_export-locale", "fr")
        with page.expect_download() as download:
            page.click("#cms-export-submit")
        path = tmp_path / "site-fr.po"
        download.value.save_as(path)
        store = po.pofile.parsestring(path.read_bytes())
        for unit in store.units:
            if unit.getcontext().endswith("/title") and unit.source == "Home":
                unit.target = "Accueil"
        path.write_bytes(bytes(store))
        page.set_input_files("#id_file", str(path))
        with page.expect_navigation():
            page.click("#cms-import-submit")
        expect(page.locator("#cms-report-counts")).to_have_text(
            "Written 1, confirmed as translated 0, unchanged 0, not applied 0, refused 0, skipped 3."
        )
        assert SiteBlock.objects.get(slug="home", locale="fr").data["title"] == "Accueil"

        page.select_option("#id_mt-locale", "fr")
        with page.expect_navigation():
            page.click("#cms-pretranslate-submit")
        expect(page.locator("#cms-report-counts")).to_have_text("Machine-translated 3, refused 0, skipped 0.")
        for width in (1440, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(100)
            assert blocking(page, {"include": [["#cms-exchange"]]}) == [], width
            check_axe(page, f"translation exchange at {width}px")
            shot(page, f"exchange-{width}")
            scroll = page.locator("#cms-exchange").evaluate("n => [n.scrollWidth, n.clientWidth]")
            assert scroll[0] <= scroll[1] + 1, f"the page scrolls sideways at {width}px: {scroll}"
    finally:
        server.close()
