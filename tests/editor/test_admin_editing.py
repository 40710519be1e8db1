"""Editing through the admin: nested errors beside their fields, the version check, roles, add, actions."""

from __future__ import annotations

import html
import json
import re

from django.test import Client
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_update_data
from tests.editor.conftest import LINKS_SCHEMA, make_block, member
from tests.editor.helpers import change_url, post_change, post_schema
from tests.ids import without_ids

ADD = reverse("admin:blocks_siteblock_add")


def test_nested_error_is_shown_beside_its_field_and_nothing_is_saved(site, admin_as):
    block = make_block(site)
    response = post_change(
        admin_as("editor"),
        block,
        [
            ("d.title", "Hi"),
            ("d.links.r1.__row", "1"),
            ("d.links.r1.label", "Ok"),
            ("d.links.r1.url", "/ok"),
            ("d.links.r2.__row", "1"),
            ("d.links.r2.label", "Bad"),
            ("d.links.r2.url", "not a url"),
        ],
    )
    assert response.status_code == 200
    html = response.content.decode()
    # the second row's url field is rendered with its error right there
    marker = 'data-path="data.links[1].url"'
    assert marker in html
    field_html = html.split(marker, 1)[1].split("</div>", 1)[0]
    assert "cms-field-error" in field_html
    assert 'value="not a url"' in html  # what the editor typed is kept
    block.refresh_from_db()
    assert block.data == {} and block.version == 1


def test_stale_form_warns_instead_of_overwriting(site, admin_as):
    block = make_block(site)
    opened_version = block.version
    owner = member(site, "other-editor", "editor")
    block_update_data(actor=Actor(owner, site, "editor"), block=block, data={"title": "Theirs"}, expected_version=None)
    response = post_change(admin_as("editor"), block, [("d.title", "Mine")], version=str(opened_version))
    assert response.status_code == 200
    html = response.content.decode()
    # Both changed the title: nothing saved, both values named, the form now at their version (docs/editors.md).
    assert "other-editor saved this block (version 2) while you were editing" in html
    assert "Title: yours “Mine”, theirs “Theirs”" in html
    assert 'name="version" value="2"' in html
    block.refresh_from_db()
    assert block.data["title"] == "Theirs"


def test_meta_and_data_saved_together_and_the_content_page_leaves_the_schema_alone(site, admin_as):
    """The schema has its own page (issue 15): a `schema_json` posted to the content page changes nothing."""
    block = make_block(site, tags=["a"])
    schema = [*LINKS_SCHEMA, {"name": "note", "type": "text"}]
    client = admin_as("editor")
    assert "cms-schema-builder" not in client.get(change_url(block)).content.decode()
    response = post_change(
        client, block, [("d.title", "New")], name="Renamed", tags="x, y", schema_json=json.dumps(schema)
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.name, block.tags, without_ids(block.schema), block.data) == (
        "Renamed",
        ["x", "y"],
        LINKS_SCHEMA,
        {"title": "New"},
    )


def test_schema_errors_are_reported_with_their_paths(site, admin_as):
    block = make_block(site)
    bad = [{"name": "title", "type": "string"}, {"name": "9bad", "type": "nope"}]
    response = post_schema(admin_as("editor"), block, bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].schema_errors) == {"schema[1].name", "schema[1].type"}
    assert "schema[1].name" in html and "schema[1].type" in html  # where the builder places them
    listed = html.split('<ul class="errorlist cms-schema-errors">', 1)[1].split("</ul>", 1)[0]
    assert "<li>Field 2 (9bad) \u203a name: " in listed and "<li>Field 2 (9bad) \u203a type: " in listed
    assert "cms-schema-builder" in html
    block.refresh_from_db()
    assert without_ids(block.schema) == LINKS_SCHEMA


def test_viewer_sees_the_block_read_only(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    client = admin_as("viewer")
    html = client.get(change_url(block)).content.decode()
    assert 'name="d.title"' in html and "disabled" in html.split('name="d.title"', 1)[1].split(">", 1)[0]
    assert 'name="_save"' not in html
    assert post_change(client, block, [("d.title", "Changed")]).status_code == 403
    block.refresh_from_db()
    assert block.data == {"title": "Hi"}


def test_translator_edits_only_non_default_locale_copies(site, admin_as):
    english = make_block(site, name="Header", data={"title": "Hi"})
    french = make_block(site, name="En-tête", locale="fr", data={"title": "Salut"})
    client = admin_as("translator")
    # default locale: read-only
    assert post_change(client, english, [("d.title", "Changed")]).status_code == 403
    # French copy: content and name editable (a copy's name is its own), the schema is not (posted value ignored)
    response = post_change(client, french, [("d.title", "Bonjour")], name="Entête", schema_json="[]")
    assert response.status_code == 302, response.context["adminform"].form.errors
    french.refresh_from_db()
    english.refresh_from_db()
    assert (
        french.data == {"title": "Bonjour"} and french.name == "Entête" and without_ids(french.schema) == LINKS_SCHEMA
    )
    assert english.data == {"title": "Hi"}


def test_add_form_creates_through_the_service(site, admin_as):
    schema = [{"name": "title", "type": "string"}]
    response = admin_as("editor").post(
        ADD,
        {
            "site": site.pk,
            "locale": "",
            "name": "About us",
            "slug": "",
            "type": "page",
            "path": "/about",
            "tags": "one, two",
            "schema_json": json.dumps(schema),
            "_continue": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    block = SiteBlock.objects.get(name="About us")
    assert (block.slug, block.locale, block.path, block.tags, without_ids(block.schema)) == (
        "about-us",
        "en",
        "/about",
        ["one", "two"],
        schema,
    )
    assert response["Location"] == change_url(block)


def test_add_form_shows_service_errors_beside_fields(site, admin_as):
    response = admin_as("editor").post(
        ADD, {"site": site.pk, "name": "P", "type": "page", "path": "no-slash", "schema_json": "[]"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["path"]
    assert not SiteBlock.objects.exists()


def test_translator_and_viewer_cannot_add(site, admin_as):
    for role in ("viewer", "translator"):
        assert admin_as(role).get(ADD).status_code == 403


def test_publish_unpublish_buttons_and_preview(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    client = admin_as("editor")
    url = reverse("admin:blocks_siteblock_publish", args=[block.pk])
    assert client.post(url, {"version": block.version}).status_code == 302
    block.refresh_from_db()
    assert block.status == "published" and block.published_snapshot["data"] == {"title": "Hi"}
    post_change(client, block, [("d.title", "Draft text")])
    preview = client.get(reverse("admin:blocks_siteblock_preview", args=[block.pk])).content.decode()
    published, working = preview.split('id="cms-preview-working"')
    assert 'value="Hi"' in published and 'value="Draft text"' in working
    # Above both: what the next Publish would change, value by value, by label.
    assert "Changed since the published version (1)" in preview
    assert '<tr class="cms-change-changed" data-path="data.title">' in preview
    assert "<del>Hi</del>" in preview and "<ins>Draft text</ins>" in preview
    block.refresh_from_db()
    client.post(reverse("admin:blocks_siteblock_unpublish", args=[block.pk]), {"version": block.version})
    block.refresh_from_db()
    assert block.status == "draft"


def test_stale_publish_is_refused(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    client = admin_as("editor")
    client.post(reverse("admin:blocks_siteblock_publish", args=[block.pk]), {"version": block.version - 1 or 99})
    block.refresh_from_db()
    assert block.status == "draft"


def test_viewer_cannot_publish(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    admin_as("viewer").post(reverse("admin:blocks_siteblock_publish", args=[block.pk]), {"version": block.version})
    block.refresh_from_db()
    assert block.status == "draft"


def test_copy_to_locale(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    client = admin_as("editor")
    url = reverse("admin:blocks_siteblock_copy", args=[block.pk])
    page = client.get(url).content.decode()
    assert '<option value="fr">' in page and '<option value="en">' not in page
    response = client.post(url, {"locale": "fr"})
    copy = SiteBlock.objects.get(translation_key=block.translation_key, locale="fr")
    assert response.status_code == 302 and response["Location"] == change_url(copy)
    assert copy.data == {"title": "Hi"} and copy.status == "draft"
    # a second copy without overwrite is refused beside the locale field
    response = client.post(url, {"locale": "fr"})
    assert response.status_code == 200 and "already exists" in response.content.decode()


def test_translator_copies_only_to_non_default_locales(site, admin_as):
    french = make_block(site, locale="fr", data={"title": "Salut"})
    client = admin_as("translator")
    url = reverse("admin:blocks_siteblock_copy", args=[french.pk])
    assert client.post(url, {"locale": "es"}).status_code == 302
    response = client.post(url, {"locale": "en"})
    assert response.status_code == 200
    assert not SiteBlock.objects.filter(locale="en").exists()
    assert admin_as("viewer").get(url).status_code == 403


def test_preview_opens_the_working_copy_on_the_sites_frontend_when_it_has_a_preview_url(site, admin_as):
    block = make_block(site, data={"title": "Hi"})
    client = admin_as("editor")
    preview_url = reverse("admin:blocks_siteblock_preview", args=[block.pk])
    assert 'id="cms-preview-frontend"' not in client.get(preview_url).content.decode()

    site.preview_url = "https://www.example.com/api/preview?slug={slug}&locale={locale}&token={token}"
    site.save()
    page = client.get(preview_url).content.decode()

    link = re.search(r'id="cms-preview-frontend" href="([^"]+)"', page)
    assert link is not None
    url = html.unescape(link.group(1))
    assert url.startswith("https://www.example.com/api/preview?slug=header&locale=en&token=cms_preview_")
    token = url.rsplit("token=", 1)[1]
    answer = Client().get(f"/api/v1/delivery/{site.slug}/blocks/header?previewToken={token}")
    assert answer.status_code == 200 and answer.json()["data"]["data"] == {"title": "Hi"}


def test_block_page_shows_completion_with_label_paths(site, admin_as):
    """Issue 18, item 6: the block page says how complete the saved copy is, in the editor's words."""
    schema = [
        {"name": "title", "type": "string", "required": True, "label": "Headline"},
        {"name": "intro", "type": "text"},
        {
            "name": "links",
            "type": "array",
            "items": {"type": "object", "fields": [{"name": "label", "type": "string", "required": True}]},
        },
    ]
    block = make_block(site, schema=schema, data={"intro": " ", "links": [{"label": "A"}, {}]})
    html = admin_as("viewer").get(change_url(block)).content.decode()
    panel = html.split('id="cms-completion"', 1)[1].split("</div>", 1)[0]
    assert "required fields 33% filled (1 of 3), all fields 60% (3 of 5)" in panel
    assert '<ul id="cms-completion-required"><li>Headline</li><li>Links \u203a 2 \u203a Label</li></ul>' in panel
    assert '<ul id="cms-completion-warnings"><li>Intro: Only spaces: the value shows nothing.</li></ul>' in panel
