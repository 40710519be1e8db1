"""A NUL in the admin's URL (search box, list filters, object ids) is a 400, never a 500 from the database."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from blocks.models import SiteBlock
from tests.editor.conftest import LINKS_SCHEMA, make_block
from tests.editor.helpers import post_change, post_schema
from tests.editor.test_admin_list import LIST, blocks  # noqa: F401  (the fixture)
from tests.ids import without_ids

ADD = reverse("admin:blocks_siteblock_add")
NUL = "Contains a NUL character (\\u0000)."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "a\x00b"}, "q"),
        ({"tag": "nav\x00"}, "tag"),
        ({"locale": "f\x00r"}, "locale"),
        ({"x\x00": "1"}, "x\\u0000"),
    ],
)
def test_nul_in_search_or_filters_is_bad_request(blocks, admin_as, query, field):  # noqa: F811
    response = admin_as("editor").get(LIST, query)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: NUL}


def test_nul_in_an_object_id_is_bad_request(blocks, admin_as):  # noqa: F811
    response = admin_as("editor").get(LIST + "1%00/change/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_ordinary_search_is_untouched(blocks, admin_as):  # noqa: F811
    response = admin_as("editor").get(LIST, {"q": "head"})

    assert response.status_code == 200
    assert [block.name for block in response.context["cl"].result_list] == ["Header"]


def test_nul_typed_into_a_content_field_is_shown_beside_it_and_nothing_is_saved(site, admin_as):
    block = make_block(site)
    response = post_change(
        admin_as("editor"), block, [("d.title", "Hi"), ("d.links.r1.__row", "1"), ("d.links.r1.label", "a\x00b")]
    )

    assert response.status_code == 200
    html = response.content.decode()
    field_html = html.split('data-path="data.links[0].label"', 1)[1].split("</div>", 1)[0]
    assert "NUL character" in field_html
    block.refresh_from_db()
    assert block.data == {} and block.version == 1


def test_nul_in_the_schema_is_reported_at_its_path(site, admin_as):
    block = make_block(site)
    schema = [{"name": "title", "type": "string", "label": "T\x00"}]
    response = post_schema(admin_as("editor"), block, schema)

    assert response.status_code == 200
    assert response.context["form"].schema_errors == {"schema[0].label": NUL}
    block.refresh_from_db()
    assert without_ids(block.schema) == LINKS_SCHEMA


def test_nul_in_a_new_blocks_schema_is_reported(site, admin_as):
    schema = [{"name": "ti\x00tle", "type": "string"}]
    response = admin_as("editor").post(
        ADD, {"site": site.pk, "name": "X", "type": "global", "schema_json": json.dumps(schema)}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.schema_errors == {"schema[0].name": NUL}
    assert not SiteBlock.objects.filter(name="X").exists()
