"""Field filters and field ordering of the delivery list, through HTTP, against a Python oracle.

The oracle filters the same published data in Python with the meaning docs/delivery-api.md gives each
operator; hypothesis picks field, operator and value, so every operator meets every type it supports.
Runs on SQLite and on PostgreSQL (`DATABASE_URL=postgres://...`).
"""

from __future__ import annotations

import random
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from blocks import services
from delivery import cdn
from schema.types.date_type import parse_date
from schema.types.datetime_type import parse_datetime
from tests.conftest import issue_token

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "body", "type": "text"},
    {"name": "price", "type": "number"},
    {"name": "day", "type": "date"},
    {"name": "at", "type": "datetime"},
    {"name": "flag", "type": "boolean"},
    {"name": "kind", "type": "select", "options": ["a", "b", "c"]},
    {"name": "cta", "type": "object", "fields": [{"name": "label", "type": "string"}]},
]
OTHER_SCHEMA = [{"name": "price", "type": "string"}, {"name": "title", "type": "text"}]
TYPES = {
    "title": "string",
    "body": "text",
    "price": "number",
    "day": "date",
    "at": "datetime",
    "flag": "boolean",
    "kind": "select",
    "cta.label": "string",
    "cta": "object",
}
WORDS = ["Cloud hosting", "cloudy day", "Sunny", "CLOUD", "rain", "x"]
NUMBERS = ["-5", "0", "2.5", "10", "30", "31", "100"]
DAYS = ["2025-12-31", "2026-01-01", "2026-01-02", "2026-02-15"]
# the same instant written three ways; lower case and a leap second (read as the minute's last second)
MOMENTS = [
    "2026-01-01T10:00:00Z",
    "2026-01-01T12:00:00+02:00",
    "2026-01-01t10:00:00z",
    "2026-01-01T09:59:59Z",
    "2026-01-01T23:59:60Z",
    "2026-01-01T23:59:59Z",
    "2026-03-01T00:00:00.250-05:00",
]
POOLS = {
    "string": WORDS,
    "text": WORDS,
    "number": NUMBERS,
    "date": DAYS,
    "datetime": MOMENTS,
    "boolean": ["true", "false"],
    "select": ["a", "b", "c"],
}
OPERATORS = {
    "number": ["eq", "ne", "in", "nin", "lt", "lte", "gt", "gte", "exists"],
    "date": ["eq", "ne", "in", "nin", "lt", "lte", "gt", "gte", "exists"],
    "datetime": ["eq", "ne", "in", "nin", "lt", "lte", "gt", "gte", "exists"],
    "string": ["eq", "ne", "in", "nin", "match", "exists"],
    "text": ["eq", "ne", "in", "nin", "match", "exists"],
    "select": ["eq", "ne", "in", "nin", "exists"],
    "boolean": ["eq", "ne", "exists"],
    "object": ["exists"],
}


def sample_data(rng: random.Random) -> dict:
    """A block's data: each field present about two times in three, values from the pools."""
    data: dict = {}
    for name, ftype in TYPES.items():
        if "." in name or rng.random() < 0.35:
            continue
        if ftype == "object":
            data[name] = {"label": rng.choice(WORDS)} if rng.random() < 0.7 else {}
        elif ftype == "number":
            data[name] = rng.choice([-5, 0, 2.5, 10, 29.99, 30, 31, 100])
        elif ftype == "boolean":
            data[name] = rng.random() < 0.5
        else:
            data[name] = rng.choice(POOLS[ftype])
    return data


@pytest.fixture
def blocks(site, publish, write):
    """12 published blocks of SCHEMA, one of another schema, one draft of SCHEMA: `[(id, name, data)]`."""
    rng = random.Random(22)
    published = []
    for index in range(12):
        data = sample_data(rng)
        block = publish(f"B{index:02d}", data, schema=SCHEMA, tags=["news"] if index % 2 else None)
        published.append((block.pk, block.name, data))
    # Same names at other places, other types: never kept (a cast of "cheap" to a number would fail)
    publish("Other", {"price": "cheap", "title": "Cloud hosting"}, schema=OTHER_SCHEMA)
    write(services.block_create, name="Draft", type="global", schema=SCHEMA, data={"price": 1}, locale="en")
    return published


def value_at(data: dict, path: str):
    value: object = data
    for step in path.split("."):
        if not isinstance(value, dict) or step not in value:
            return None
        value = value[step]
    return value


def typed(ftype: str, raw: str):
    if ftype == "number":
        return float(raw)
    if ftype == "date":
        return parse_date(raw)
    if ftype == "datetime":
        return parse_datetime(raw)
    if ftype == "boolean":
        return raw == "true"
    return raw


def holds(ftype: str, op: str, stored, raw: str) -> bool:
    """The oracle: what docs/delivery-api.md says `data.<path>[op]=raw` keeps, for one stored value."""
    if op == "exists":
        return (stored is not None) == (raw == "true")
    if op == "match":
        return isinstance(stored, str) and raw.lower() in stored.lower()
    value = typed(ftype, stored) if isinstance(stored, str) and ftype in ("date", "datetime") else stored
    if op in ("in", "nin"):
        found = stored is not None and value in [typed(ftype, one) for one in raw.split(",")]
        return found if op == "in" else not found
    wanted = typed(ftype, raw)
    if op == "eq":
        return stored is not None and value == wanted
    if op == "ne":
        return stored is None or value != wanted
    if stored is None:
        return False
    return {"lt": value < wanted, "lte": value <= wanted, "gt": value > wanted, "gte": value >= wanted}[op]


@st.composite
def field_filters(draw):
    path = draw(st.sampled_from(sorted(TYPES)))
    ftype = TYPES[path]
    op = draw(st.sampled_from(OPERATORS[ftype]))
    if op == "exists":
        raw = draw(st.sampled_from(["true", "false"]))
    elif op == "match":
        raw = draw(st.sampled_from(["cloud", "CLO", "y d", "zzz"]))
    elif op in ("in", "nin"):
        raw = ",".join(draw(st.lists(st.sampled_from(POOLS[ftype]), min_size=1, max_size=3, unique=True)))
    else:
        raw = draw(st.sampled_from(POOLS[ftype]))
    return path, ftype, op, raw


def get(url: str):
    return APIClient().get(url)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=field_filters(), second=st.none() | field_filters())
def test_each_operator_on_each_type_matches_the_oracle(blocks, first, second):
    chosen = [first] if second is None or second[0] == first[0] else [first, second]
    query = "&".join(f"data.{path}[{op}]={quote(raw)}" for path, _, op, raw in chosen)
    response = get(f"{BASE}/blocks?schemaOf=b00&perPage=100&{query}")
    assert response.status_code == 200, response.json()
    expected = [
        name
        for _, name, data in sorted(blocks, key=lambda row: (row[1], row[0]))
        if all(holds(ftype, op, value_at(data, path), raw) for path, ftype, op, raw in chosen)
    ]
    body = response.json()
    assert [item["name"] for item in body["data"]] == expected, query
    assert body["meta"]["total"] == len(expected)


@pytest.mark.parametrize("path", ["price", "day", "at"])
@pytest.mark.parametrize("descending", [False, True])
def test_ordering_by_a_field_puts_missing_values_last_then_orders_by_id(blocks, path, descending):
    ftype = TYPES[path]
    present = [row for row in blocks if value_at(row[2], path) is not None]
    missing = sorted((row for row in blocks if value_at(row[2], path) is None), key=lambda row: row[0])
    by_id = sorted(present, key=lambda row: row[0])  # a stable sort keeps ids ascending among equal values
    # sorted() is stable with reverse=True too: equal values keep ascending ids, as the tiebreak says
    ordered = sorted(by_id, key=lambda row: typed(ftype, str(value_at(row[2], path))), reverse=descending)
    sign = "-" if descending else ""
    response = get(f"{BASE}/blocks?schemaOf=b00&limit=100&order={sign}data.{path}")
    assert [item["name"] for item in response.json()["data"]] == [row[1] for row in ordered + missing]
    limited = get(f"{BASE}/blocks?schemaOf=b00&limit=3&order={sign}data.{path}").json()
    assert [item["name"] for item in limited["data"]] == [row[1] for row in (ordered + missing)[:3]]
    assert limited["meta"]["perPage"] == 3


def test_type_tags_and_field_filters_combine_and_carry_the_list_keys(site, blocks):
    response = get(f"{BASE}/blocks?type=global&tags=news&schemaOf=b00&data.price[lte]=30&perPage=100")
    expected = [name for _, name, data in blocks if int(name[1:]) % 2 and value_at(data, "price") is not None]
    expected = [name for _, name, data in blocks if name in expected and data["price"] <= 30]
    assert [item["name"] for item in response.json()["data"]] == expected
    assert response["Surrogate-Key"] == f"{cdn.site_key(site.pk)} {cdn.list_key(site.pk)}"


def envelope(param: str, message: str, whole: str | None = None) -> dict:
    return {"error": {"code": "bad_request", "message": whole or f"`{param}`: {message}", "fields": {param: message}}}


NUMBER_OPS = "A number field supports: eq, ne, in, nin, lt, lte, gt, gte, exists."
NEEDS = "Filtering or ordering by a field needs `schemaOf=<slug>`: the block whose schema types it."
MISSING = "No published block `nope` in locale `en` to take the schema from."
NUL = "The URL contains a NUL character."
OPERATOR_LIST = "Unknown operator: use one of eq, ne, in, nin, lt, lte, gt, gte, exists, match."


@pytest.mark.parametrize(
    ("query", "param", "message", "whole"),
    [
        ("schemaOf=b00&data.nope=1", "data.nope", "`b00` has no field `nope`.", None),
        ("schemaOf=b00&data.cta.label.x=1", "data.cta.label.x", "`b00` has no field `cta.label.x`.", None),
        ("schemaOf=b00&data.price[match]=3", "data.price[match]", NUMBER_OPS, None),
        ("schemaOf=b00&data.cta[eq]=x", "data.cta[eq]", "A object field supports: exists.", None),
        ("schemaOf=b00&data.flag[lt]=true", "data.flag[lt]", "A boolean field supports: eq, ne, exists.", None),
        ("schemaOf=b00&data.price[lte]=abc", "data.price[lte]", "Must be a number, such as 30 or -2.5.", None),
        ("schemaOf=b00&data.price[lte]=1e5", "data.price[lte]", "Must be a number, such as 30 or -2.5.", None),
        ("schemaOf=b00&data.day[gte]=2026-13-01", "data.day[gte]", "Must be a date, such as 2026-01-31.", None),
        (
            "schemaOf=b00&data.at[lt]=2026-01-01",
            "data.at[lt]",
            "Must be a date and time with an offset or Z, such as 2026-01-31T12:00:00Z.",
            None,
        ),
        ("schemaOf=b00&data.flag=yes", "data.flag", "Must be `true` or `false`.", None),
        ("schemaOf=b00&data.price[exists]=1", "data.price[exists]", "Must be `true` or `false`.", None),
        ("schemaOf=b00&data.kind=z", "data.kind", "Must be one of the options: a, b, c.", None),
        (
            "schemaOf=b00&data.kind[in]=a,,b",
            "data.kind[in]",
            "Must be a comma-separated list of values, none empty.",
            None,
        ),
        ("schemaOf=b00&data.price[in]=" + ",".join(["1"] * 101), "data.price[in]", "At most 100 values.", None),
        ("schemaOf=b00&data.title[match]=", "data.title[match]", "Must not be empty.", None),
        ("schemaOf=b00&data.title=" + "x" * 10240, "data.title", "At most 1000 characters.", None),
        # a NUL anywhere in the URL is refused before the view (cms middleware), naming the parameter
        ("schemaOf=b00&data.title=a%00b", "data.title", "Contains a NUL character (\\u0000).", NUL),
        ("schemaOf=b00&data.price[near]=1", "data.price[near]", OPERATOR_LIST, None),
        ("schemaOf=b00&data.pr%00ice=1", "data.pr\\u0000ice", "Contains a NUL character (\\u0000).", NUL),
        ("schemaOf=b00&data.=1", "data.", "Not a field filter: use `data.<field>[<operator>]=<value>`.", None),
        ("data.price[lte]=30", "data.price[lte]", NEEDS, None),
        ("order=-data.price", "order", NEEDS, None),
        ("schemaOf=nope&data.price=1", "schemaOf", MISSING, MISSING),
        ("schemaOf=../b00&data.price=1", "schemaOf", "Must be a block slug.", "`schemaOf` must be a block slug."),
        ("schemaOf=b00&order=price", "order", "Must be `data.<field>` or `-data.<field>`.", None),
        ("schemaOf=b00&order=data.title", "order", "Only number, date and datetime fields can order the list.", None),
        ("schemaOf=b00&order=data.nope", "order", "`b00` has no field `nope`.", None),
        (
            "limit=3&perPage=3",
            "limit",
            "Send `limit` or `perPage`, not both.",
            "`limit` and `perPage` name the same thing.",
        ),
        ("limit=0", "limit", "Must be a positive integer.", "`limit` must be a positive integer."),
    ],
)
def test_bad_field_queries_get_the_whole_envelope_naming_the_parameter(blocks, query, param, message, whole):
    response = get(f"{BASE}/blocks?{query}")
    assert response.status_code == 400
    assert response.json() == envelope(param, message, whole)
    assert response["Cache-Control"] == "no-store" or response["Surrogate-Key"]


def test_too_many_filters_is_refused(blocks):
    query = "&".join(f"data.price[{op}]=1" for op in ("eq", "ne", "lt", "lte", "gt", "gte", "in", "nin"))
    query += "&data.title=a&data.body=b&data.day=2026-01-01"
    response = get(f"{BASE}/blocks?schemaOf=b00&{query}")
    assert response.json() == {
        "error": {
            "code": "bad_request",
            "message": "Too many field filters.",
            "fields": {"data.day": "At most 10 field filters."},
        }
    }


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request):
    """The caching test runs on the local-memory cache and on Redis (the production set-up)."""
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


def test_answers_are_cached_per_normalised_query_and_a_publish_refreshes_them(site, shared_cache, blocks, publish):
    first = get(f"{BASE}/blocks?schemaOf=b00&data.price[gte]=0&data.kind[exists]=true&perPage=100")
    with CaptureQueriesContext(connection) as queries:
        again = get(f"{BASE}/blocks?schemaOf=b00&perPage=100&data.kind[exists]=true&data.price[gte]=0")
    assert len(queries) == 0 and again.json() == first.json()  # the same query in another order is a hit
    publish("B99", {"price": 1, "kind": "a"}, schema=SCHEMA)
    after = get(f"{BASE}/blocks?schemaOf=b00&data.price[gte]=0&data.kind[exists]=true&perPage=100")
    assert [item["name"] for item in after.json()["data"]][-1] == "B99"
    assert after.json()["meta"]["total"] == first.json()["meta"]["total"] + 1


def test_queries_per_filtered_answer_do_not_grow_with_the_site(site, publish):
    def misses(count: int) -> int:
        for index in range(count):
            publish(f"N{count}-{index}", {"price": index, "day": "2026-01-01"}, schema=SCHEMA)
        get(f"{BASE}/blocks?perPage=1")  # site facts and generation cached, as on a warm server
        url = f"{BASE}/blocks?schemaOf=n{count}-0&data.price[lte]={count}&order=-data.day&limit=100&x={count}"
        with CaptureQueriesContext(connection) as queries:
            response = get(url.replace(f"&x={count}", ""))
        assert response.status_code == 200
        return len(queries)

    small = misses(2)
    large = misses(12)
    assert small == large == 3  # the schemaOf block, the total, the page


def test_preview_filters_the_working_copies(site, publish, write):
    block = publish("Live", {"price": 50}, schema=SCHEMA)
    write(services.block_update_data, block=block, data={"price": 5}, expected_version=None)
    write(services.block_create, name="Draft", type="global", schema=SCHEMA, data={"price": 7}, locale="en")
    _, previewer = issue_token(site, username="previewer", role="viewer", scopes=("read", "preview"))
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {previewer}")
    url = f"{BASE}/blocks?schemaOf=live&data.price[lt]=10&order=-data.price"
    preview = reader.get(url + "&preview=true").json()
    assert [(item["name"], item["data"]["price"]) for item in preview["data"]] == [("Draft", 7), ("Live", 5)]
    assert get(url).json()["data"] == []  # live: the published 50 is not under 10
