"""The block list's translation column: one mark per enabled locale, for the whole page in fixed queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_update_data
from tests.conftest import build_site
from tests.editor.conftest import logged_in, make_block, member
from tests.editor.helpers import change_url, encode, post_change, rendered_form_post

LIST = reverse("admin:blocks_siteblock_changelist")


@pytest.fixture
def owner_actor(site):
    return Actor(user=member(site, "boss", "owner"), site=site, role="owner")


def test_column_shows_one_mark_per_locale(site, admin_as, owner_actor):
    header = make_block(site, name="Header", data={"title": "Hello"})
    block_copy_to_locale(actor=owner_actor, block=header, locale="fr")
    es = block_copy_to_locale(actor=owner_actor, block=header, locale="es")
    block_update_data(actor=owner_actor, block=header, data={"title": "Hello there"}, expected_version=None)
    block_update_data(actor=owner_actor, block=es, data={"title": "Hola"}, expected_version=None)
    fr = SiteBlock.objects.get(locale="fr")
    block_update_data(actor=owner_actor, block=fr, data={"title": "Bonjour"}, expected_version=None)
    block_update_data(actor=owner_actor, block=header, data={"title": "Hello again"}, expected_version=None)
    block_update_data(actor=owner_actor, block=es, data={"title": "Hola de nuevo"}, expected_version=None)
    make_block(site, name="Fresh", data={"title": "Fresh"})
    block_copy_to_locale(actor=owner_actor, block=SiteBlock.objects.get(slug="fresh"), locale="fr")
    response = admin_as("viewer").get(LIST + "?locale__exact=en")
    assert response.status_code == 200
    html = response.content.decode()
    # Words, shown (no tooltip): the symbol is decoration, hidden from screen readers.
    assert '<span class="cms-tr cms-tr-complete"><span aria-hidden="true">✓</span> en: complete</span>' in html
    assert '<span class="cms-tr cms-tr-complete"><span aria-hidden="true">✓</span> es: complete</span>' in html
    assert (
        '<span class="cms-tr cms-tr-outdated"><span aria-hidden="true">!</span> fr: 0/1 translated, 1 outdated</span>'
        in html
    )
    assert '<span class="cms-tr cms-tr-partial"><span aria-hidden="true">½</span> fr: 0/1 translated</span>' in html
    assert 'class="cms-tr cms-tr-partial" title=' not in html and 'cms-tr-outdated" title=' not in html


def test_column_costs_the_same_queries_for_3_or_30_rows(site, admin_as, owner_actor):
    client = admin_as("editor")
    for index in range(3):
        block_copy_to_locale(actor=owner_actor, block=make_block(site, name=f"A{index}"), locale="fr")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).context["cl"].result_list) == 6
    for index in range(27):
        block_copy_to_locale(actor=owner_actor, block=make_block(site, name=f"B{index}"), locale="es")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["cl"].result_list) == 50  # a full page: 30 sources, 30 copies, 50 per page
    assert len(many.captured_queries) == len(few.captured_queries)


PRICING_SCHEMA = [
    {"name": "title", "type": "string", "required": True, "label": "Title"},
    {"name": "discount", "type": "number", "label": "Discount"},
    {"name": "featured", "type": "boolean", "label": "Featured"},
    {
        "name": "plans",
        "type": "array",
        "label": "Plans",
        "items": {
            "type": "object",
            "fields": [{"name": "name", "type": "string"}, {"name": "price", "type": "number"}],
        },
    },
]
PRICING_DATA = {"title": "Pricing", "discount": 20, "featured": True, "plans": [{"name": "Pro", "price": 15}]}


def pricing_copy(site, owner_actor):
    source = make_block(site, name="Pricing", type="page", path="/pricing", schema=PRICING_SCHEMA, data=PRICING_DATA)
    fr = block_copy_to_locale(actor=owner_actor, block=source, locale="fr")
    return source, block_update_data(actor=owner_actor, block=fr, data={"title": "Tarifs"}, expected_version=None)


def test_a_copy_page_says_each_field_state_and_locks_shared_fields(site, admin_as, owner_actor):
    source, fr = pricing_copy(site, owner_actor)
    block_update_data(actor=owner_actor, block=source, data={"title": "Our pricing"}, expected_version=None)
    client = admin_as("translator")
    html = client.get(change_url(fr)).content.decode()
    assert (
        '<p class="cms-tr-summary" id="cms-tr-summary">This fr copy translates en: <strong>0 of 2 fields '
        "translated</strong>, 1 outdated, 1 untranslated.</p>" in html
    )
    assert (
        '<span class="cms-tr-note cms-tr-note-outdated" id="cms-d-title-tr">Outdated: the en source changed since it '
        "was translated</span>" in html
    )
    assert "Untranslated: still the copied en text</span>" in html  # plans[0].name
    locked = "Shared with en: read-only here, edited in the en copy</span>"
    assert html.count(locked) == 3  # discount, featured and plans[0].price (nested): shared fields, locked
    assert 'id="cms-d-discount"' in html and re.search(r'<input[^>]*id="cms-d-discount"[^>]*disabled', html)
    assert 'aria-describedby="cms-d-discount-tr"' in html
    assert re.search(r'<input[^>]*id="cms-d-plans-i0-price"[^>]*disabled', html)
    # The name, path and tags of a copy are its translator's: editable.
    assert not re.search(r'<input[^>]*name="name"[^>]*disabled', html)

    # Saving the page as the browser posts it changes no shared value; a new title and path are saved.
    pairs = [(k, v) for k, v in rendered_form_post(html) if k not in ("name", "path")]
    pairs += [("name", "Tarifs"), ("path", "/tarifs")]
    pairs = [(k, "Nos tarifs" if k == "d.title" else v) for k, v in pairs]
    response = client.post(change_url(fr), encode(pairs), content_type="application/x-www-form-urlencoded")
    summary = re.findall(r"cms-error-summary.*?</ul>", response.content.decode(), re.S)
    assert response.status_code == 302, summary
    fr.refresh_from_db()
    assert (fr.name, fr.path, fr.data["title"], fr.data["discount"]) == ("Tarifs", "/tarifs", "Nos tarifs", 20)


def test_a_copy_form_never_writes_a_nested_shared_value(site, admin_as, owner_actor):
    """A plan's price is locked in the copy (disabled, so a browser does not post it); a crafted post of a
    changed one is ignored, as a top-level shared field's is: the price is read back from the copy."""
    _, fr = pricing_copy(site, owner_actor)
    response = post_change(admin_as("editor"), fr, {"d.plans.i0.name": "Pro FR", "d.plans.i0.price": "99"})
    assert response.status_code == 302
    fr.refresh_from_db()
    assert fr.data["plans"] == [{"name": "Pro FR", "price": 15}]


def test_copy_to_locale_is_offered_only_with_a_target_the_role_may_write(db, owner_actor):
    two = build_site("two", ("en", "fr"))
    boss = Actor(user=member(two, "boss2", "owner"), site=two, role="owner")
    source = make_block(two, name="Pricing")
    fr = block_copy_to_locale(actor=boss, block=source, locale="fr")
    translator = logged_in(member(two, "tr-two", "translator"))
    html = translator.get(change_url(fr)).content.decode()
    assert 'id="cms-copy"' not in html  # its only target, en, is the editors'
    assert translator.get(reverse("admin:blocks_siteblock_copy", args=[fr.pk])).status_code == 403
    assert 'id="cms-copy"' in translator.get(change_url(source)).content.decode()  # en → fr: a translator's
    editor = logged_in(member(two, "ed-two", "editor"))
    assert 'id="cms-copy"' in editor.get(change_url(fr)).content.decode()
