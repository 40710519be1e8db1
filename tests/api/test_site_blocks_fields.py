"""Field filters, field order and keyset cursors on the management list (`GET /api/v1/site-blocks`): the
delivery list's parser and meaning (`blocks.fieldquery`), applied to the working copies of one locale."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "price", "type": "number"},
    {"name": "cta", "type": "object", "fields": [{"name": "label", "type": "string"}]},
]


@pytest.fixture
def drafts(api):
    """Eight drafts (prices 0..3, one without), and one block of another schema where `price` is a string."""
    for index in range(8):
        data = {"title": f"Plan {index}", "cta": {"label": "Buy now" if index % 2 else "Read"}}
        if index != 5:
            data["price"] = index % 4
        body = {"name": f"Plan {index}", "type": "global", "schema": SCHEMA, "data": data}
        assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    other = {"name": "Other", "type": "global", "schema": [{"name": "price", "type": "string"}], "data": {"price": "x"}}
    assert api.post("/api/v1/site-blocks", other, format="json").status_code == 201


def slugs(api, query: str) -> list[str]:
    response = api.get(f"/api/v1/site-blocks?perPage=100&{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["data"]]


def test_field_filters_and_order_apply_to_the_working_copies(api, drafts):
    assert slugs(api, "schemaOf=plan-0&data.price[lte]=1") == ["plan-0", "plan-1", "plan-4"]
    assert slugs(api, "schemaOf=plan-0&data.cta.label[match]=buy&data.price[in]=1,3") == [
        "plan-1",
        "plan-3",
        "plan-7",
    ]
    assert slugs(api, "schemaOf=plan-0&data.price[exists]=false") == ["plan-5"]
    ordered = slugs(api, "schemaOf=plan-0&order=-data.price")
    assert ordered == ["plan-3", "plan-7", "plan-2", "plan-6", "plan-1", "plan-0", "plan-4", "plan-5"]


def envelope(param: str, message: str) -> dict:
    return {"error": {"code": "bad_request", "message": f"`{param}`: {message}", "fields": {param: message}}}


STRING_OPS = "A string field supports: eq, ne, in, nin, exists, match."
OPERATOR_LIST = "Unknown operator: use one of eq, ne, in, nin, lt, lte, gt, gte, exists, match."
NEEDS = "Filtering or ordering by a field needs `schemaOf=<slug>`: the block whose schema types it."


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ("schemaOf=plan-0&data.nope=1", "data.nope", "`plan-0` has no field `nope`."),
        ("schemaOf=plan-0&data.title[lt]=a", "data.title[lt]", STRING_OPS),
        ("schemaOf=plan-0&data.price=cheap", "data.price", "Must be a number, such as 30 or -2.5."),
        ("schemaOf=plan-0&data.price[foo]=1", "data.price[foo]", OPERATOR_LIST),
        ("schemaOf=plan-0&data.title=" + "x" * 10240, "data.title", "At most 1000 characters."),
        ("data.price=1", "data.price", NEEDS),
        ("schemaOf=nope&data.price=1", "schemaOf", "No block `nope` in this locale to take the schema from."),
        ("schemaOf=plan-0&order=data.title", "order", "Only number, date and datetime fields can order the list."),
        ("schemaOf=plan-0&order=data.price&ordering=name", "order", "Send `order` (a field) or `ordering`, not both."),
        ("cursor=abc", "cursor", "Not a cursor of this list: use the `nextCursor` of the previous page."),
    ],
)  # fmt: skip
def test_bad_field_queries_get_the_envelope_naming_the_parameter(api, drafts, query, param, message):
    response = api.get(f"/api/v1/site-blocks?{query}")
    assert response.status_code == 400
    assert response.json() == envelope(param, message)


def test_a_nul_in_a_filter_value_is_a_400(api, drafts):
    response = api.get("/api/v1/site-blocks?schemaOf=plan-0&data.title=a%00b")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("query", ["", "ordering=-updatedAt", "ordering=-name", "schemaOf=plan-0&order=data.price"])
def test_a_cursor_walk_returns_the_whole_list_and_is_bound_to_its_order(api, drafts, query):
    whole = slugs(api, query)
    walked: list[str] = []
    cursor = None
    for _ in range(20):
        url = f"/api/v1/site-blocks?perPage=2&{query}" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(url).json()
        walked += [row["slug"] for row in body["data"]]
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            break
    assert walked == whole and len(whole) >= 8
    first = api.get(f"/api/v1/site-blocks?perPage=2&{query}").json()["meta"]["nextCursor"]
    response = api.get(f"/api/v1/site-blocks?perPage=2&ordering=createdAt&cursor={first}")
    message = "This cursor was made for another order: send the same `order` as the first page."
    assert response.json() == envelope("cursor", message)
