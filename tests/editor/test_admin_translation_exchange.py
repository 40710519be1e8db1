"""The admin's translation exchange page: export for translation, import with its report, the machine
translation provider (owners) and pre-translation (only when a provider is set up)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from translate.storage import po

from accounts.permissions import Actor
from blocks import xliff2
from blocks.models import MachineTranslationConfig, SiteBlock
from blocks.services import block_copy_to_locale
from tests.api.test_machine_translation import KEY, FakeProvider, deepl_answer
from tests.editor.conftest import make_block, member

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:blocks_machinetranslationconfig_changelist")
SCHEMA = [
    {"name": "title", "type": "string", "label": "Title", "maxLength": 20},
    {"name": "body", "type": "richtext", "label": "Body text"},
    {"name": "count", "type": "number"},
]


@pytest.fixture
def blocks(site):
    owner = Actor(user=member(site, "boss", "owner"), site=site, role="owner")
    made = []
    for name in ("Home", "About"):
        block = make_block(site, name=name, schema=SCHEMA, data={"title": name, "body": "<p>Hi</p>", "count": 1})
        block_copy_to_locale(actor=owner, block=block, locale="fr")
        made.append(block)
    return made


def test_the_page_offers_export_and_import_and_no_machine_translation_without_a_provider(site, admin_as, blocks):
    response = admin_as("translator").get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cms-export-form"' in html and 'id="cms-import-form"' in html
    assert "Pre-translate" not in html  # the feature is absent
    assert 'id="cms-provider-form"' not in html  # owners only
    assert '<option value="xliff2">XLIFF 2.1</option>' in html
    assert '<option value="fr">fr</option>' in html and '<option value="en">' not in html


def test_the_block_list_and_a_block_page_link_to_it(site, admin_as, blocks):
    client = admin_as("editor")
    html = client.get(reverse("admin:blocks_siteblock_changelist")).content.decode()
    assert f'href="{PAGE}" id="cms-translation-exchange-link"' in html
    html = client.get(reverse("admin:blocks_siteblock_change", args=[blocks[0].pk])).content.decode()
    assert f'href="{PAGE}?block={blocks[0].pk}" id="cms-translation-files"' in html


def test_export_downloads_the_site_or_a_selection(site, admin_as, blocks):
    client = admin_as("viewer")
    response = client.get(PAGE, {"export": "1", "export-format": "xliff2", "export-locale": "fr"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-site-fr-xliff2.xlf"'
    locale, units = xliff2.read(response.content)
    assert locale == "fr" and len(units) == 4  # title and body of each block; `count` is shared
    chosen = str(blocks[1].translation_key)
    response = client.get(
        PAGE, {"export": "1", "export-format": "po", "export-locale": "fr", "export-blocks": [chosen]}
    )
    assert response["Content-Disposition"] == 'attachment; filename="acme-selection-fr.po"'
    store = po.pofile.parsestring(response.content)
    assert [unit.getcontext() for unit in store.units if not unit.isheader()] == [f"{chosen}/title", f"{chosen}/body"]
    # A block's page link preselects its group.
    html = client.get(PAGE, {"block": blocks[1].pk}).content.decode()
    assert f'<option value="{chosen}" selected>About</option>' in html


def test_import_reports_what_it_did_with_block_names_and_field_labels(site, admin_as, blocks):
    client = admin_as("translator")
    exported = client.get(PAGE, {"export": "1", "export-format": "po", "export-locale": "fr"}).content
    store = po.pofile.parsestring(exported)
    home, about = (str(block.translation_key) for block in blocks)
    for unit in store.units:
        if unit.getcontext() == f"{home}/title":
            unit.target = "Accueil"
        if unit.getcontext() == f"{about}/title":
            unit.target = "À propos de nous, très longuement dit"  # over maxLength 20
    upload = SimpleUploadedFile("site-fr.po", bytes(store))
    response = client.post(PAGE + f"?site={site.pk}", {"action": "import", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r"Import: fr</h2>\s*<p id=\"cms-report-counts\">Written 1, confirmed as translated 0, unchanged 0, "
        r"not applied 0, refused 1, skipped 2\.</p>",
        html,
    ), html
    assert "<td>Home</td><td>Title</td><td><code>title</code></td>" in html
    assert (
        "<td>About</td><td>Title</td><td><code>title</code></td>\n        <td>Must be at most 20 characters long.</td>"
        in html
    )
    assert SiteBlock.objects.get(slug="home", locale="fr").data["title"] == "Accueil"
    assert SiteBlock.objects.get(slug="about", locale="fr").data["title"] == "About"


def test_an_unreadable_file_is_named_on_the_field(site, admin_as, blocks):
    upload = SimpleUploadedFile("broken.po", b'msgid "never closed')
    response = admin_as("translator").post(PAGE, {"action": "import", "file": upload})
    html = response.content.decode()
    assert '<ul class="errorlist"' in html and "Not a readable PO file" in html


def test_an_owner_sets_up_a_provider_the_key_is_not_shown_and_translators_pre_translate(site, admin_as, blocks):
    server = FakeProvider(deepl_answer)
    try:
        owner = admin_as("owner")
        response = owner.post(
            PAGE,
            {
                "action": "provider",
                "provider-provider": "deepl",
                "provider-base_url": server.url,
                "provider-api_key": KEY,
            },
        )
        assert response.status_code == 302
        assert MachineTranslationConfig.objects.get(site=site).api_key == KEY
        html = owner.get(PAGE).content.decode()
        assert KEY not in html and "API key set (…abcd)" in html
        # Saved again without a key: the key is kept.
        owner.post(PAGE, {"action": "provider", "provider-provider": "deepl", "provider-base_url": server.url})
        assert MachineTranslationConfig.objects.get(site=site).api_key == KEY

        translator = admin_as("translator")
        html = translator.get(PAGE, {"block": blocks[0].pk}).content.decode()
        assert 'id="cms-pretranslate-form"' in html and 'id="cms-provider-form"' not in html
        response = translator.post(PAGE + f"?block={blocks[0].pk}", {"action": "pretranslate", "mt-locale": "fr"})
        html = response.content.decode()
        assert "Machine pre-translation: fr" in html
        assert "Machine-translated (check, then keep or edit) (2)" in html
        assert [request["body"]["text"] for request in server.requests] == [["Home"], ["<p>Hi</p>"]]
        assert SiteBlock.objects.get(slug="about", locale="fr").version == 1  # only the chosen block
        # The block list says it in words: machine output is not a translation yet.
        listing = translator.get(reverse("admin:blocks_siteblock_changelist") + "?locale__exact=en").content.decode()
        assert "fr: 0/2 translated, 2 machine-translated</span>" in listing
        assert admin_as("editor").post(PAGE, {"action": "provider-remove"}).status_code == 200  # not an owner
        assert MachineTranslationConfig.objects.filter(site=site).exists()
        owner.post(PAGE, {"action": "provider-remove"})
        assert not MachineTranslationConfig.objects.filter(site=site).exists()
    finally:
        server.close()
