"""The index plan of the delivery list's field filters and of search on PostgreSQL (docs/delivery-api.md "Index
plan"): the planner can read each through its GIN index instead of the site's rows.

The plans are asked of a site of 4,000 published rows (2,000 blocks in en and fr) whose statistics are fresh
(ANALYZE), where each filter is selective, as the planner would see a live site; the figures on large sites are
bench/queries.py's.
"""

from __future__ import annotations

import pytest
from django.db import connection

from blocks import fieldquery as filters
from blocks.models import SiteBlock
from delivery import search, selectors
from delivery.search import _pg_match

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
BLOCKS = 2000

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "kind", "type": "select", "options": ["a", "b"]},
    {"name": "price", "type": "number"},
    {"name": "flag", "type": "boolean"},
    {"name": "cta", "type": "object", "fields": [{"name": "label", "type": "string"}]},
]


@pytest.fixture
def large(site):
    rows = []
    for index in range(BLOCKS):
        for locale in ("en", "fr"):
            data = {
                "title": f"word{index} cloud hosting" if index % 100 == 0 else f"Sunny day {index}",
                "kind": "a" if index % 100 == 0 else "b",
                "price": index % 97,
                "flag": index % 50 == 0,
                "cta": {"label": f"Buy {index}"},
            }
            other = index % 4 == 0  # blocks of another schema: `price` is text there
            schema = [{"name": "price", "type": "string"}] if other else SCHEMA
            rows.append(
                SiteBlock(
                    site=site,
                    locale=locale,
                    slug=f"b-{index}",
                    name=f"Block {index}",
                    type="global",
                    status="published",
                    schema=schema,
                    data=data,
                    published_snapshot={"schema": schema, "data": {"price": "x"} if other else data},
                    published_version=1,
                )
            )
    SiteBlock.objects.bulk_create(rows, batch_size=1000)
    search.rebuild(site.pk)
    with connection.cursor() as cursor:  # as autovacuum leaves a live table: GIN pending lists merged, statistics
        for index in ("siteblock_live_schema_gin", "siteblock_live_data_gin", "searchdocument_vector_gin"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE blocks_siteblock")
        cursor.execute("ANALYZE delivery_searchdocument")
    return site


def plan_of(large, params: dict, order: str | None = None) -> str:
    query = filters.parse(params, "ref", order)
    assert query is not None
    compiled = filters.compile_query(query, SCHEMA, preview=False)
    rows = selectors.fallback_rows(large.pk, ["fr", "en"]).alias(**compiled.aliases).filter(compiled.where)
    return rows.order_by(*compiled.order)[:15].explain()


@pytest.mark.parametrize(
    "params",
    [
        {"data.kind": "a"},
        {"data.kind[in]": "a,b"},
        {"data.title[eq]": "Hello"},
        {"data.flag": "true"},
        {"data.cta.label": "Buy"},
    ],
)
def test_equality_filters_read_through_the_data_index(large, params):
    plan = plan_of(large, params)

    assert "siteblock_live_data_gin" in plan, plan


@pytest.mark.parametrize(
    ("params", "order"),
    [
        ({"data.price[lte]": "30"}, None),
        ({"data.title[match]": "cloud"}, None),
        ({"data.price[ne]": "3"}, None),
        ({}, "-data.price"),
    ],
)
def test_other_filters_and_the_order_read_through_the_schema_index(large, params, order):
    plan = plan_of(large, params, order)

    assert "siteblock_live_schema_gin" in plan, plan


def test_the_filters_of_the_bench_page_read_through_both(large):
    plan = plan_of(large, {"data.kind": "a", "data.price[lte]": "30"}, "-data.price")

    assert "siteblock_live_data_gin" in plan, plan


def test_search_reads_through_the_document_index(large):
    condition, _ = _pg_match("cloud hosting", ["fr", "en"])
    rows = selectors.fallback_rows(large.pk, ["fr", "en"]).filter(condition)
    plan = rows.explain()

    assert "searchdocument_vector_gin" in plan, plan
