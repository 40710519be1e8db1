"""The block's Schema page (issue 15) and its review of a change before it is written (issue 18 item 3).

Through the admin pages only: the Content page has no schema builder; the Schema tab and page are for roles
that may change the schema; a save that only adds a field is written at once; a rename or a type change
answers the review page (per locale copy: moved, converted, failed, orphaned) and writes nothing until it is
confirmed; "Back" returns to the builder with the edits; a confirm over a block changed meanwhile is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.permissions import Actor
from blocks import events
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_publish, block_update_data
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from scheduling.services import block_schedule
from tests.editor.conftest import make_block, member
from tests.editor.helpers import change_url, post_schema, schema_url
from tests.ids import without_ids

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string"}, {"name": "count", "type": "number"}]


def snapshot(*blocks: SiteBlock) -> list:
    """What a review must leave as it was: each copy's version, schema and data, and the revision count."""
    rows = SiteBlock.objects.filter(pk__in=[b.pk for b in blocks]).order_by("pk")
    return [(b.version, b.schema, b.data, BlockRevision.objects.filter(block=b).count()) for b in rows]


def with_french_copy(site):
    """A block with `title`, `count` (number) and `code` (string), and its French copy: "42" and "abc"."""
    schema = [*SCHEMA, {"name": "code", "type": "string"}]
    block = make_block(site, schema=schema, data={"title": "Old", "count": 1, "code": "42"})
    owner = Actor(user=member(site, "owner-fr", "owner"), site=site, role="owner")
    french = block_copy_to_locale(actor=owner, block=block, locale="fr")
    block_update_data(actor=owner, block=french, data={"title": "Vieux", "code": "abc"}, expected_version=None)
    block.refresh_from_db()
    french.refresh_from_db()
    return block, french


def test_the_schema_has_its_own_page_and_tab_only_for_roles_that_may_change_it(site, admin_as):
    english = make_block(site, schema=SCHEMA)
    french = make_block(site, name="En-tête", locale="fr", schema=SCHEMA)
    editor = admin_as("editor")
    content = editor.get(change_url(english)).content.decode()
    assert 'id="cms-tab-schema"' in content and "cms-schema-builder" not in content
    assert 'aria-current="page">Content</a>' in content
    assert "<title>Header (en): Content | " in content and '<h1 class="cms-block-title">Header' in content
    page = editor.get(schema_url(english))
    assert page.status_code == 200
    html = page.content.decode()
    assert "cms-schema-builder" in html and 'aria-current="page">Schema</a>' in html
    assert "<title>Header (en): Schema | " in html  # each tab its own window title
    # One "Site blocks" in the breadcrumbs (the app and the model share the name).
    crumbs = html.split('<div class="breadcrumbs">', 1)[1].split("</div>", 1)[0]
    assert crumbs.count("Site blocks") == 1 and "Schema" in crumbs
    translator = admin_as("translator")
    assert 'id="cms-tab-schema"' not in translator.get(change_url(french)).content.decode()
    assert translator.get(schema_url(french)).status_code == 403
    assert (
        post_schema(translator, french, [*SCHEMA, {"name": "x", "type": "string"}], confirmed=True).status_code == 403
    )
    assert admin_as("viewer").get(schema_url(english)).status_code == 403
    assert without_ids(SiteBlock.objects.get(pk=french.pk).schema) == SCHEMA


def test_the_schema_page_reads_a_flat_number_of_queries(site, admin_as, django_assert_max_num_queries):
    block = make_block(site, schema=[{"name": f"f{i}", "type": "string"} for i in range(60)])
    client = admin_as("editor")
    client.get(schema_url(block))  # warm the session and the site caches
    with django_assert_max_num_queries(12):
        assert client.get(schema_url(block)).status_code == 200


def test_adding_a_field_is_saved_at_once_as_one_write(site, admin_as, subscribe):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    batches: list[list[events.BlockEvent]] = []
    subscribe(events.recorded, batches.append)
    added = [*block.schema, {"name": "subtitle", "type": "string"}]

    response = post_schema(admin_as("editor"), block, added)

    assert response.status_code == 302 and response["Location"] == schema_url(block)
    saved = SiteBlock.objects.get(pk=block.pk)
    assert (without_ids(saved.schema), saved.data, saved.version) == (
        [*SCHEMA, {"name": "subtitle", "type": "string"}],
        {"title": "Old", "count": 1},
        block.version + 1,
    )
    assert [r.comment for r in BlockRevision.objects.filter(block=block).order_by("number")] == [
        "Created",
        "Replaced the schema",
    ]
    assert len(batches) == 1 and [event.event for event in batches[0]] == ["block.schema_updated"]


def test_an_unchanged_schema_writes_nothing(site, admin_as):
    block = make_block(site, schema=SCHEMA)
    before = snapshot(block)
    response = post_schema(admin_as("editor"), block, block.schema)
    assert response.status_code == 302
    assert snapshot(block) == before


def test_a_rename_and_a_retype_are_reviewed_per_locale_copy_before_anything_is_written(site, admin_as):
    block, french = with_french_copy(site)
    ids = [field["id"] for field in block.schema]
    title, count, code = block.schema
    changed = [
        {**title, "name": "headline", "label": "Headline"},
        {**count, "type": "string"},
        {**code, "type": "number"},
    ]
    before = snapshot(block, french)
    client = admin_as("editor")

    review = post_schema(client, block, changed)

    assert review.status_code == 200 and review.templates[0].name == "admin/blocks/siteblock/schema_review.html"
    assert snapshot(block, french) == before  # nothing written by the review
    html = review.content.decode()
    english = html.split('id="cms-review-en"', 1)[1].split("</section>", 1)[0]
    french_part = html.split('id="cms-review-fr"', 1)[1].split("</section>", 1)[0]
    assert (
        "<li>Title → <strong>Headline</strong></li>" in english and "Title → <strong>Headline</strong>" in french_part
    )
    assert "<li><strong>Count</strong>: number → string</li>" in english
    assert "<li><strong>Code</strong>: string → number</li>" in english
    # "abc" is no number: it cannot follow, and is kept aside under its old name (nothing is lost)
    kept = "<strong>Code</strong> (string → number): &#x27;abc&#x27; is not a number. Kept as <code>code~2</code>."
    assert "Cannot be converted, kept aside" in french_part and kept in french_part
    fields = html.split('id="cms-review-fields-title"', 1)[1].split("</section>", 1)[0]
    assert "renamed" in fields and "(number → string)" in fields and "(string → number)" in fields

    confirmed = post_schema(client, block, changed, confirmed=True)

    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    saved = SiteBlock.objects.get(pk=block.pk)
    french.refresh_from_db()
    assert [field["id"] for field in saved.schema] == ids and french.schema == saved.schema
    assert saved.data == {"headline": "Old", "count": "1", "code": 42}
    # A number is not translated by default: the source's 42 is shared; the copy's own "abc" is kept aside.
    assert french.data == {"headline": "Vieux", "count": "1", "code": 42, "code~2": "abc"}
    messages = [str(m) for m in confirmed.wsgi_request._messages]
    assert messages == ["Schema saved. In 2 locale copies: 2 values moved, 3 converted, 1 kept aside as an orphan."]


def test_back_from_the_review_shows_the_builder_with_the_edits_and_writes_nothing(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    renamed = [{**block.schema[0], "name": "headline"}, block.schema[1]]
    before = snapshot(block)
    response = post_schema(admin_as("editor"), block, renamed, _back="1")
    assert response.status_code == 200 and response.templates[0].name == "admin/blocks/siteblock/schema.html"
    assert "&quot;headline&quot;" in response.content.decode()
    assert snapshot(block) == before


def test_a_confirm_over_a_block_changed_since_the_review_writes_nothing(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"title": "Old", "count": 1})
    reviewed_at = block.version
    renamed = [{**block.schema[0], "name": "headline"}, block.schema[1]]
    owner = Actor(user=member(site, "other", "editor"), site=site, role="editor")
    block_update_data(actor=owner, block=block, data={"title": "Theirs"}, expected_version=None)
    before = snapshot(block)

    response = post_schema(admin_as("editor"), block, renamed, confirmed=True, version=reviewed_at)

    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert snapshot(block) == before


def bar_state(client, block: SiteBlock) -> str:
    html = client.get(change_url(block)).content.decode()
    return html.split('<span class="cms-state-words">', 1)[1].split("</span>", 1)[0]


def test_the_action_bar_says_the_state_in_words(site, admin_as):
    site.timezone = "Europe/Paris"
    site.save(update_fields=["timezone"])
    owner = Actor(user=member(site, "owner-x", "owner"), site=site, role="owner")
    block = make_block(site, schema=SCHEMA, data={"title": "T"})
    client = admin_as("editor")
    assert bar_state(client, block) == "Draft"
    block = block_publish(actor=owner, block=block, expected_version=None)
    assert bar_state(client, block) == "Published"
    block = block_update_data(actor=owner, block=block, data={"title": "U"}, expected_version=None)
    assert bar_state(client, block) == "Published, with unpublished changes"
    at = datetime(2030, 1, 8, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    block_schedule(actor=owner, block=block, expected_version=None, publish_at=at)
    assert bar_state(client, block) == (
        "Published, with unpublished changes · Scheduled to publish 8 Jan 2030, 09:00 (Europe/Paris)"
    )
    html = client.get(change_url(block)).content.decode()
    bar = html.split('id="cms-action-bar"', 1)[1].split("</details>", 1)[0]
    for control in ('id="cms-save-draft"', 'id="cms-publish"', 'id="cms-preview"', 'id="cms-unpublish"'):
        assert control in bar
    assert '<span class="cms-dirty" id="cms-dirty" role="status"></span>' in bar  # filled by editor.js
    # A viewer reads the state, and has nothing to save or publish.
    viewer_bar = admin_as("viewer").get(change_url(block)).content.decode().split('id="cms-action-bar"', 1)[1]
    assert 'id="cms-save-draft"' not in viewer_bar and 'id="cms-publish"' not in viewer_bar
    assert 'id="cms-tab-schema"' not in admin_as("viewer").get(change_url(block)).content.decode()


def test_schema_problems_are_listed_in_words_and_placed_by_path(site, admin_as):
    block = make_block(site, schema=SCHEMA)
    plans = {
        "name": "plans",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "9x", "type": "string"}]},
    }
    response = post_schema(admin_as("editor"), block, [*block.schema, plans])
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.schema_errors) == ["schema[2].items.fields[0].name"]  # the builder places it by this path
    listed = response.content.decode().split('<ul class="errorlist cms-schema-errors">', 1)[1].split("</ul>", 1)[0]
    assert listed.startswith("<li>" + SEPARATOR.join(["Field 3 (Plans)", "each item", "field 1 (9x)", "name"]) + ": ")
