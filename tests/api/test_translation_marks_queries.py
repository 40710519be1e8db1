"""Translation marks of a block list page cost a fixed number of queries, whatever the site's size."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blocks.models import SiteBlock
from tests.conftest import build_site, client_with, issue_token

LOCALES = ("en", "fr", "es", "de", "it")
SCHEMA = [{"name": "title", "type": "string"}, {"name": "body", "type": "text"}, {"name": "n", "type": "number"}]


def populate(site, count: int) -> None:
    rows = []
    for index in range(count):
        key = uuid.uuid4()
        for position, code in enumerate(LOCALES[: 1 + index % len(LOCALES)]):  # 1 to 5 copies per block
            rows.append(
                SiteBlock(
                    site=site,
                    locale=code,
                    translation_key=key,
                    name=f"Block {index:04d}",
                    slug=f"block-{index}",
                    type="global",
                    schema=SCHEMA,
                    data={"title": f"T{index}", "body": "" if position == 2 else "text", "n": index},
                )
            )
    SiteBlock.objects.bulk_create(rows, batch_size=1000)


def list_queries(client, per_page: int) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/site-blocks?translations=true&perPage={per_page}")
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries), response.json()


@pytest.mark.django_db
def test_marks_for_a_page_of_a_1000_block_5_locale_site_take_constant_queries():
    big = build_site("big", LOCALES)
    small = build_site("small", LOCALES)
    populate(big, 1000)
    populate(small, 3)
    big_client = client_with(issue_token(big, username="b")[1])
    small_client = client_with(issue_token(small, username="s")[1])

    for client in (small_client, big_client):  # the first call of a token also stamps its last use
        client.get("/api/v1/site-blocks")
    small_count, _ = list_queries(small_client, 15)
    page_15, _ = list_queries(big_client, 15)
    page_100, body = list_queries(big_client, 100)
    assert small_count == page_15 == page_100, (small_count, page_15, page_100)
    assert page_100 <= 6  # auth (token with site, membership), count, page, locales, copies

    rows = body["data"]
    assert len(rows) == 100 and set(rows[0]["translations"]) == set(LOCALES)
    by_name = {row["name"]: row["translations"] for row in rows}
    assert {code: state["status"] for code, state in by_name["Block 0000"].items()} == {
        "en": "complete",
        "fr": "missing",
        "es": "missing",
        "de": "missing",
        "it": "missing",
    }
    # Block 0002 has en, fr, es; the es copy has an empty body; none carry fingerprints (bulk-made): untranslated
    assert by_name["Block 0002"]["es"]["counts"] == {"translated": 0, "outdated": 0, "untranslated": 2, "machine": 0}
    assert by_name["Block 0002"]["fr"]["fields"]["untranslated"] == ["title", "body"]
