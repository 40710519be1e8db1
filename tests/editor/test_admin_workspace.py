"""The translator's workspace on a locale copy's page: the source beside each localized field, the state in
words, old → new for an outdated field, "Keep" per field, shared fields locked, and "Re-sync shared fields"."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_update_data
from tests.editor.conftest import make_block, member
from tests.editor.helpers import change_url, encode, rendered_form_post

SCHEMA = [
    {"name": "title", "type": "string", "label": "Title"},
    {"name": "body", "type": "richtext", "label": "Body"},
    {"name": "discount", "type": "number", "label": "Discount"},
    {
        "name": "plans",
        "type": "array",
        "label": "Plans",
        "items": {
            "type": "object",
            "fields": [{"name": "name", "type": "string", "label": "Plan name"}, {"name": "price", "type": "number"}],
        },
    },
]
DATA = {
    "title": "Pricing",
    "body": "<p>Plans <strong>for all</strong></p>",
    "discount": 20,
    "plans": [{"name": "Basic", "price": 5}, {"name": "Pro", "price": 15}],
}


@pytest.fixture
def owner_actor(site):
    return Actor(user=member(site, "boss", "owner"), site=site, role="owner")


@pytest.fixture
def pricing(site, owner_actor):
    source = make_block(site, name="Pricing", type="page", path="/pricing", schema=SCHEMA, data=DATA)
    fr = block_copy_to_locale(actor=owner_actor, block=source, locale="fr")
    fr = block_update_data(
        actor=owner_actor,
        block=fr,
        data={"title": "Tarifs", "plans": [{"name": "Essentiel", "price": 5}, {"name": "Pro", "price": 15}]},
        expected_version=None,
    )
    return source, fr


def field_html(html: str, path: str) -> str:
    """The rendered field at data path `path` (up to the next field of the same level, good enough here)."""
    start = html.index(f'data-path="{path}"')
    return html[start : start + 3000]


def test_each_field_shows_its_source_beside_it_and_its_state(site, admin_as, pricing):
    _, fr = pricing
    html = admin_as("translator").get(change_url(fr)).content.decode()
    title = field_html(html, "data.title")
    assert '<span class="cms-tr-note cms-tr-note-translated" id="cms-d-title-tr">Translated</span>' in title
    assert (
        '<div class="cms-tr-source" role="group" aria-label="Title in en (source, read only)">'
        '<span class="cms-tr-source-label" aria-hidden="true">en source</span>'
        '<div class="cms-tr-source-value"><span class="cms-tr-text">Pricing</span></div></div>' in title
    )
    # Rich text is rendered (sanitised), not shown as escaped tags.
    body = field_html(html, "data.body")
    assert '<div class="cms-tr-rich"><p>Plans <strong>for all</strong></p></div>' in body
    # Nested: each plan's name beside its own source.
    assert '<span class="cms-tr-text">Basic</span>' in field_html(html, "data.plans[0].name")
    # An untranslated field with a value may be kept as it is; a translated one offers no Keep.
    assert 'name="_keep" value="plans[1].name"' in html
    assert 'name="_keep" value="title"' not in html
    # The discount is shared: locked, no Keep, no source box (it is the source's value, kept in step).
    discount = field_html(html, "data.discount")
    assert re.search(r'<input[^>]*id="cms-d-discount"[^>]*disabled', discount)
    assert "cms-tr-source" not in discount.split('data-path="data.plans"')[0]


def test_an_outdated_field_says_what_changed_in_the_source(site, admin_as, owner_actor, pricing):
    source, fr = pricing
    block_update_data(actor=owner_actor, block=source, data={"title": "Our pricing"}, expected_version=None)
    html = admin_as("translator").get(change_url(fr)).content.decode()
    assert (
        '<div class="cms-tr-change"><span class="cms-tr-change-title">Changed in en:</span> '
        '<del class="cms-tr-old" aria-label="before"><span class="cms-tr-text">Pricing</span></del> '
        '<span aria-hidden="true">→</span> <ins class="cms-tr-new" aria-label="now">'
        '<span class="cms-tr-text">Our pricing</span></ins></div>' in field_html(html, "data.title")
    )
    assert (
        '<button type="submit" name="_keep" value="title" class="button cms-tr-keep" '
        'aria-label="Keep Title: still right for the new source">Keep: still right for the new source</button>'
    ) in html


def test_keep_saves_the_page_then_confirms_the_field(site, admin_as, owner_actor, pricing):
    source, fr = pricing
    block_update_data(actor=owner_actor, block=source, data={"title": "Our pricing"}, expected_version=None)
    client = admin_as("translator")
    html = client.get(change_url(fr)).content.decode()
    pairs = [(k, "Pro (fr)" if k == "d.plans.i1.name" else v) for k, v in rendered_form_post(html)]
    response = client.post(
        change_url(fr), encode([*pairs, ("_keep", "title")]), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302 and response["Location"] == change_url(fr)
    fr = SiteBlock.objects.get(pk=fr.pk)
    assert fr.data["title"] == "Tarifs" and fr.data["plans"][1]["name"] == "Pro (fr)"  # nothing typed lost
    page = client.get(change_url(fr)).content.decode()
    assert "“Title” kept as translated: it counts as translated until the source changes again." in page
    assert "<strong>3 of 4 fields translated</strong>, 0 outdated, 1 untranslated." in page  # body: copied


def test_keep_of_an_empty_field_is_refused_with_the_edits_saved(site, admin_as, pricing):
    _, fr = pricing
    client = admin_as("translator")
    html = client.get(change_url(fr)).content.decode()
    pairs = [(k, "" if k == "d.body" else v) for k, v in rendered_form_post(html)]
    response = client.post(
        change_url(fr), encode([*pairs, ("_keep", "body")]), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    page = client.get(change_url(fr)).content.decode()
    assert "Your edits were saved, but not that: `body` is empty in `fr`: write a translation instead." in page
    assert "body" not in SiteBlock.objects.get(pk=fr.pk).data


def test_diverged_shared_fields_show_the_source_value_and_an_editor_resyncs(site, admin_as, pricing):
    _, fr = pricing
    SiteBlock.objects.filter(pk=fr.pk).update(data={**fr.data, "discount": 30})  # written before shared fields
    translator = admin_as("translator").get(change_url(fr)).content.decode()
    assert "This copy differs from the en source, which has <code>20</code>. An editor can re-sync it." in translator
    assert 'name="_sync_shared"' not in translator  # a translator cannot re-sync
    client = admin_as("editor")
    html = client.get(change_url(fr)).content.decode()
    assert "Re-sync shared fields from en</button>" in html
    response = client.post(
        change_url(fr),
        encode([*rendered_form_post(html), ("_sync_shared", "1")]),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert SiteBlock.objects.get(pk=fr.pk).data["discount"] == 20
    page = client.get(change_url(fr)).content.decode()
    assert "Shared fields re-synced from the source: discount." in page
    assert "This copy differs" not in page


def test_the_copy_page_costs_the_same_queries_with_2_or_20_outdated_fields(site, admin_as, owner_actor):
    def build(n: int, name: str):
        schema = [{"name": f"f{i}", "type": "string"} for i in range(n)]
        source = make_block(site, name=name, schema=schema, data={f"f{i}": f"v{i}" for i in range(n)})
        fr = block_copy_to_locale(actor=owner_actor, block=source, locale="fr")
        fr = block_update_data(
            actor=owner_actor, block=fr, data={f"f{i}": f"fr{i}" for i in range(n)}, expected_version=None
        )
        for step in range(3):
            block_update_data(
                actor=owner_actor, block=source, data={f"f{i}": f"v{i}.{step}" for i in range(n)}, expected_version=None
            )
        return fr

    client = admin_as("translator")
    small, large = build(2, "Small"), build(20, "Large")
    client.get(change_url(small))
    with CaptureQueriesContext(connection) as few:
        assert "Changed in en:" in client.get(change_url(small)).content.decode()
    with CaptureQueriesContext(connection) as many:
        assert client.get(change_url(large)).content.decode().count("Changed in en:") == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_copys_plans_follow_the_source_rows(site, admin_as, pricing):
    source, fr = pricing
    client = admin_as("editor")
    copy_html = client.get(change_url(fr)).content.decode()
    plans = field_html(copy_html, "data.plans")
    assert 'class="cms-up"' not in copy_html and "cms-add-row" not in copy_html
    assert "The plans follow the en copy: rows are added, removed and reordered there." in copy_html
    assert "Plan 2" in plans
    assert re.search(r'<input[^>]*id="cms-d-plans-i1-price"[^>]*disabled', copy_html)
    source_html = client.get(change_url(source)).content.decode()
    assert 'class="cms-up"' in source_html and "cms-add-row" in source_html
