"""The templates admin and the block admin's template choice (issue 18 item 5), through the admin pages."""

from __future__ import annotations

import json

import pytest

from blocks.models import SiteBlock
from blueprints.models import BlockTemplate

pytestmark = pytest.mark.django_db

TEMPLATES = "/admin/blueprints/blocktemplate/"
BLOCKS = "/admin/blocks/siteblock/"
SCHEMA = [{"name": "title", "type": "string"}, {"name": "price", "type": "number"}]


def add_template(client, site, **extra):
    body = {"site": site.pk, "name": "Landing page", "slug": "", "description": "", "schema_json": json.dumps(SCHEMA)}
    return client.post(f"{TEMPLATES}add/", {**body, **extra})


def test_an_editor_creates_a_template_and_a_block_that_follows_it(site, admin_as):
    editor = admin_as("editor")
    response = add_template(editor, site)
    assert response.status_code == 302, response.content
    template = BlockTemplate.objects.get()
    assert template.slug == "landing-page" and [f["name"] for f in template.schema] == ["title", "price"]
    listing = editor.get(TEMPLATES).content.decode()
    assert "Landing page" in listing and "landing-page" in listing

    add = editor.get(f"{BLOCKS}add/").content.decode()
    assert 'name="template"' in add and "Landing page" in add
    response = editor.post(
        f"{BLOCKS}add/",
        {
            "site": site.pk,
            "locale": "",
            "name": "Spring",
            "slug": "",
            "type": "global",
            "path": "",
            "tags": "",
            "template": "landing-page",
            "schema_json": "[]",
        },
    )
    assert response.status_code == 302, response.content
    block = SiteBlock.objects.get(slug="spring")
    assert block.template_id == template.pk and block.schema == template.schema
    page = editor.get(f"{BLOCKS}{block.pk}/change/").content.decode()
    assert "Follows “landing-page”, version 1" in page
    schema_page = editor.get(f"{BLOCKS}{block.pk}/schema/").content.decode()
    assert 'data-readonly="1"' in schema_page  # the schema builder is read-only: the schema is the template's
    assert "Follows “landing-page”, version 1" in schema_page and 'id="cms-save-schema"' not in schema_page

    page = editor.get(f"{TEMPLATES}{template.pk}/change/").content.decode()
    assert "spring (en)" in page and "cms-schema-builder" in page
    assert "Delete" not in page.split('class="submit-row"', 1)[-1].split("</div>", 1)[0]


def test_a_schema_change_saved_on_the_template_page_reaches_its_followers(site, admin_as):
    editor = admin_as("editor")
    add_template(editor, site)
    template = BlockTemplate.objects.get()
    editor.post(
        f"{BLOCKS}add/",
        {
            "site": site.pk,
            "locale": "",
            "name": "Spring",
            "slug": "",
            "type": "global",
            "path": "",
            "tags": "",
            "template": "landing-page",
            "schema_json": "[]",
        },
    )
    block = SiteBlock.objects.get(slug="spring")
    block.data = {"title": "Hi", "price": 3}
    block.save()  # the data as an earlier edit left it (the admin's data form is the block editor's business)
    schema = [{**template.schema[0], "name": "headline"}, {**template.schema[1], "type": "string"}]
    response = editor.post(
        f"{TEMPLATES}{template.pk}/change/",
        {"name": "Landing page", "description": "New", "schema_json": json.dumps(schema)},
        follow=True,
    )
    assert response.status_code == 200
    assert "The schema change reached 1 block copies that follow it." in response.content.decode()
    block.refresh_from_db()
    assert block.data == {"headline": "Hi", "price": "3"}
    assert block.template_ref == {"slug": "landing-page", "version": 2}


def test_schema_problems_are_shown_on_the_template_page_and_nothing_is_saved(site, admin_as):
    editor = admin_as("editor")
    response = add_template(editor, site, schema_json=json.dumps([{"name": "x", "type": "nope"}]))
    assert response.status_code == 200
    assert "schema[0].type" in response.content.decode()
    assert not BlockTemplate.objects.exists()


def test_a_viewer_reads_templates_but_cannot_add_or_change_them(site, admin_as):
    add_template(admin_as("editor"), site)
    template = BlockTemplate.objects.get()
    viewer = admin_as("viewer")
    assert viewer.get(TEMPLATES).status_code == 200
    assert viewer.get(f"{TEMPLATES}add/").status_code == 403
    response = viewer.post(
        f"{TEMPLATES}{template.pk}/change/", {"name": "Mine", "description": "", "schema_json": "[]"}
    )
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.name == "Landing page"
