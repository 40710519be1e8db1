"""`GET /api/v1/site-blocks/types.ts` and `manage.py export_types`: the TypeScript types of a site's delivery
answers (blocks/typescript.py; compiled by `tsc --strict` in tests/clients/test_js_client.py)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from schema import type_names
from tests.conftest import client_with, issue_token
from tests.docs.markdown import DOCS

URL = "/api/v1/site-blocks/types.ts"


def every_field_type_body() -> dict:
    """The docs' block with all 17 field types (docs/fields.md "A block with every field type")."""
    text = (DOCS / "fields.md").read_text()
    section = text[text.index("## A block with every field type") :]
    found = re.search(r'```json title="POST /api/v1/site-blocks"\n(.*?)```', section, re.S)
    assert found
    return json.loads(found[1])


EVERY_FIELD_TYPE_DATA = """\
export type EveryFieldTypeData = {
  /** Title · string */
  title: string;
  /** text */
  summary?: string;
  /** richtext (sanitised HTML) */
  body?: string;
  /** number */
  price?: number;
  /** boolean */
  featured?: boolean;
  /** select */
  layout?: "wide" | "narrow";
  /** multiselect */
  topics?: Array<"news" | "events" | "jobs">;
  /** image */
  hero?: CmsImage<{ alt: string }>;
  /** file */
  brochure?: CmsFile<{ size: number }>;
  /** url (a URL) */
  website?: string;
  /** email (an email address) */
  contactEmail?: string;
  /** color (#RGB, #RRGGBB or #RRGGBBAA) */
  accent?: string;
  /** date (YYYY-MM-DD) */
  launch?: string;
  /** datetime (RFC 3339 date-time) */
  startsAt?: string;
  /** object */
  cta?: {
    /** string */
    label?: string;
    /** url (a URL) */
    url?: string;
  };
  /** array */
  faq?: Array<{
    /** string */
    question?: string;
    /** richtext (sanitised HTML) */
    answer?: string;
  }>;
  /** dataSource */
  related: CmsBlockSummary[] | null;
};
"""

EVERY_FIELD_TYPE_BLOCK = """\
/** Every field type (`every-field-type`). */
export interface EveryFieldTypeBlock extends CmsBlock {
  slug: "every-field-type";
  type: "page";
  path: string;
  data: EveryFieldTypeData;
}
"""


@pytest.fixture
def reader(site):
    """A viewer's read-only token: reading the types needs nothing more."""
    return client_with(issue_token(site, username="reader", role="viewer", scopes=("read",))[1])


def test_every_field_type_is_typed_field_by_field(api, reader):
    body = every_field_type_body()
    assert {field["type"] for field in body["schema"]} == set(type_names())
    assert "unknown" not in EVERY_FIELD_TYPE_DATA  # a registered type without its TypeScript would say so
    assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    answer = reader.get(URL)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/typescript; charset=utf-8"
    text = answer.content.decode()
    assert EVERY_FIELD_TYPE_DATA in text
    assert EVERY_FIELD_TYPE_BLOCK in text
    assert 'export interface BlockTypes {\n  "every-field-type": EveryFieldTypeBlock;\n}\n' in text
    assert "export interface CmsBlockAnswer<B extends CmsBlock = CmsBlock>" in text  # the envelopes
    assert "export type CmsSyncItem<" in text


def test_one_interface_per_block_sorted_by_slug_and_deterministic(api, reader, django_assert_num_queries):
    for name, kind in (
        ("Header", "global"),
        ("about page", "page"),
        ("404", "global"),
        ("A 1", "global"),
        ("A1", "global"),
    ):
        body = {"name": name, "type": kind, "schema": [{"name": "title", "type": "string"}]}
        if kind == "page":
            body["path"] = "/about"
        assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    # A published block is typed from its published schema: a field added to the draft is not delivered yet.
    assert api.post("/api/v1/site-blocks/header/publish").status_code == 200
    schema = [{"name": "title", "type": "string"}, {"name": "subtitle", "type": "string"}]
    assert api.put("/api/v1/site-blocks/header/schema", {"schema": schema}, format="json").status_code == 200
    first = reader.get(URL).content.decode()
    with django_assert_num_queries(2):  # the token; the site's blocks, whatever their number
        assert reader.get(URL).content.decode() == first
    names = re.findall(r"^export interface (\w+Block) extends CmsBlock", first, re.M)
    # By slug (404, a-1, a1, about-page, header); `a1` would be named as `a-1` is, so it takes the next name.
    assert names == ["Block404Block", "A1Block", "A12Block", "AboutPageBlock", "HeaderBlock"]
    assert "export type HeaderData = {\n  /** string */\n  title?: string;\n};" in first
    assert "subtitle" not in first
    out = StringIO()
    call_command("export_types", "--site", "acme", "--lang", "ts", stdout=out)
    assert out.getvalue() == first


def test_select_options_with_labels_and_nesting(api, reader):
    schema = [
        {"name": "size", "type": "select", "required": True, "options": [{"value": "s", "label": "Small"}, "it's"]},
        {
            "name": "rows",
            "type": "array",
            "items": {"type": "array", "items": {"type": "object", "fields": [{"name": "n", "type": "number"}]}},
        },
        {
            "name": "card",
            "type": "object",
            "fields": [{"name": "pic", "type": "image"}, {"name": "doc", "type": "file"}],
        },
        {"name": "one", "type": "dataSource", "source": "block", "params": {"slug": "x"}},
    ]
    body = {"name": "Shapes", "type": "global", "schema": schema}
    assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    text = reader.get(URL).content.decode()
    data = text[text.index("export type ShapesData") : text.index("/** Shapes (`shapes`). */")]
    assert data == (
        "export type ShapesData = {\n"
        "  /** select */\n"
        '  size: "s" | "it\'s";\n'
        "  /** array */\n"
        "  rows?: Array<Array<{\n"
        "    /** number */\n"
        "    n?: number;\n"
        "  }>>;\n"
        "  /** object */\n"
        "  card?: {\n"
        "    /** image */\n"
        "    pic?: CmsImage;\n"
        "    /** file */\n"
        "    doc?: CmsFile;\n"
        "  };\n"
        "  /** dataSource */\n"
        "  one: CmsData | null;\n"
        "};\n\n"
    )


def test_an_empty_site_has_types_too(reader):
    text = reader.get(URL).content.decode()
    assert "export type BlockTypes = Record<string, never>;" in text


def test_types_errors_are_envelopes(site, other_site, reader, api):
    assert api.get(URL, {"site": "acme"}).status_code == 200  # naming the token's own site is fine
    answer = reader.get(URL, {"site": "globex"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "code": "bad_request",
            "message": "This token acts on its own site only: leave `site` out or name the token's site.",
            "fields": {"site": "Not the site of this token."},
        }
    }
    answer = reader.get(URL, {"lang": "ts"})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"lang": "Unknown query parameter."}
    answer = client_with("nope").get(URL)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    answer = api.post(URL, {}, format="json")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_export_types_command_writes_a_file_and_refuses_unknowns(api, site, tmp_path):
    assert api.post("/api/v1/site-blocks", every_field_type_body(), format="json").status_code == 201
    out = tmp_path / "types.ts"
    call_command("export_types", "--site", "acme", "--lang", "ts", "--out", str(out), stderr=StringIO())
    assert EVERY_FIELD_TYPE_DATA in out.read_text()
    with pytest.raises(CommandError, match=r"No site `nope`\."):
        call_command("export_types", "--site", "nope", "--lang", "ts")
    with pytest.raises(CommandError, match="invalid choice: 'py'"):
        call_command("export_types", "--site", "acme", "--lang", "py")
