"""Full-text search of the delivery API (`GET /api/v1/delivery/{site}/search`), through HTTP.

Runs on SQLite (the word-match fallback) and on PostgreSQL (`DATABASE_URL=postgres://...`: tsvector, stemming,
ts_rank, ts_headline); tests marked `postgres` need the latter.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from blocks import services
from blocks.models import SiteBlock
from delivery import search
from delivery.models import SearchDocument

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/delivery/acme/search"
SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "body", "type": "richtext"},
    {"name": "price", "type": "number"},
    {"name": "cta", "type": "object", "fields": [{"name": "label", "type": "text"}]},
    {"name": "faq", "type": "array", "items": {"type": "string"}},
]


def get(params: dict):
    return APIClient().get(SEARCH, params)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["slug"] for item in response.json()["data"]]


@pytest.fixture
def page(publish):
    def make(name, title, body="", *, locale="en", slug=None, **extra):
        data = {"title": title, "body": body, **extra}
        return publish(name, data, locale=locale, schema=SCHEMA, slug=slug)

    return make


def test_search_finds_published_text_in_every_text_field_and_ranks_by_hits(site, page):
    page("Once", "Cloud hosting", "<p>Fast servers</p>")
    page("Thrice", "Cloud storage", "<p>The <b>cloud</b> that keeps your cloud files</p>")
    page("Nested", "Plans", cta={"label": "Try the cloud"}, faq=["What is a cloud?"])
    page("Other", "Sunny days", "<p>No match here</p>")

    response = get({"q": "cloud"})

    assert slugs(response) == ["thrice", "nested", "once"]
    ranks = [item["search"]["rank"] for item in response.json()["data"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1] > 0
    assert response.json()["meta"] == {
        "total": 3,
        "perPage": 15,
        "currentPage": 1,
        "lastPage": 1,
        "locale": "en",
        "query": "cloud",
    }
    assert response.json()["data"][0]["data"]["title"] == "Cloud storage"  # the block as the list shows it


def test_every_word_must_match_and_markup_is_not_text(site, page):
    page("Both", "Cloud hosting", "<p>servers</p>")
    page("One", "Cloud only", '<p><a href="https://hosting.example">link</a></p>')

    assert slugs(get({"q": "cloud hosting"})) == ["both"]
    assert slugs(get({"q": "href"})) == []


def test_pages_do_not_overlap_and_ties_go_by_id(site, page):
    made = [page(f"Block {index}", "cloud") for index in range(5)]

    first = slugs(get({"q": "cloud", "perPage": 2}))
    second = slugs(get({"q": "cloud", "limit": 2, "page": 2}))
    third = slugs(get({"q": "cloud", "perPage": 2, "page": 3}))

    assert first + second + third == [block.slug for block in sorted(made, key=lambda b: b.pk)]
    assert get({"q": "cloud", "perPage": 2, "page": 9}).json()["data"] == []


def test_snippets_mark_the_hits_and_escape_the_text(site, page):
    page("Code", "Use <script>alert(1)</script> & cloud tags", "<p>5 &lt; 6 in the cloud</p>")

    response = get({"q": "cloud", "highlight": "1"})
    snippet = response.json()["data"][0]["search"]["snippet"]

    assert "<mark>cloud</mark>" in snippet
    # the text's `<` and `&` escaped (PostgreSQL's headline drops what its parser reads as a tag: `<script>`)
    assert "<script>" not in snippet and "5 &lt; 6" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "snippet" not in get({"q": "cloud"}).json()["data"][0]["search"]


def test_unpublished_deleted_and_draft_blocks_are_not_found(site, page, write):
    kept = page("Kept", "cloud one")
    gone = page("Gone", "cloud two")
    deleted = page("Deleted", "cloud three")
    write(services.block_create, name="Draft", type="global", schema=SCHEMA, data={"title": "cloud draft"})

    write(services.block_unpublish, block=gone, expected_version=None)
    write(services.block_delete, block=SiteBlock.objects.get(pk=deleted.pk), expected_version=None)

    assert slugs(get({"q": "cloud"})) == [kept.slug]
    assert set(SearchDocument.objects.values_list("block_id", flat=True)) == {kept.pk}


def test_a_publish_invalidates_cached_search_answers(site, page, write):
    block = page("Hero", "Cloud hosting")
    assert slugs(get({"q": "storage"})) == []  # cached now
    assert slugs(get({"q": "storage"})) == []

    edited = write(services.block_update_data, block=block, data={"title": "Cloud storage"}, expected_version=None)
    assert slugs(get({"q": "storage"})) == []  # a draft edit changes nothing live

    write(services.block_publish, block=edited, expected_version=None)

    assert slugs(get({"q": "storage"})) == ["hero"]
    assert slugs(get({"q": "hosting"})) == []


def test_the_locale_chain_decides_which_copy_is_searched(site, page):
    page("Hero", "Cloud hosting", slug="hero")
    french = page("Héros", "Hébergement nuage", locale="fr", slug="hero-fr")

    assert slugs(get({"q": "nuage", "locale": "fr"})) == [french.slug]
    assert slugs(get({"q": "nuage"})) == []  # en does not fall back to fr


def _bad(message: str, field: str, detail: str) -> dict:
    return {"error": {"code": "bad_request", "message": message, "fields": {field: detail}}}


@pytest.mark.parametrize(
    ("params", "envelope"),
    [
        ({}, _bad("`q` is required, e.g. `?q=cloud hosting`.", "q", "Required.")),
        ({"q": "   "}, _bad("`q` is required, e.g. `?q=cloud hosting`.", "q", "Required.")),
        ({"q": "x" * 257}, _bad("`q` is longer than 256 characters.", "q", "At most 256 characters.")),
        ({"q": "x" * 10_000}, _bad("`q` is longer than 256 characters.", "q", "At most 256 characters.")),
        ({"q": "a\x00b"}, _bad("The URL contains a NUL character.", "q", "Contains a NUL character (\\u0000).")),
        ({"q": "a", "page": "0"}, _bad("`page` must be a positive integer.", "page", "Must be a positive integer.")),
        (
            {"q": "a", "highlight": "maybe"},
            _bad("`highlight` must be true or false.", "highlight", "Must be true or false."),
        ),
        ({"q": "a", "preview": "1"}, _bad("Unknown query parameter: preview.", "preview", "Unknown query parameter.")),
        (
            {"q": "a", "limit": "2", "perPage": "3"},
            _bad("`limit` and `perPage` name the same thing.", "limit", "Send `limit` or `perPage`, not both."),
        ),
    ],
)
def test_bad_parameters_get_the_envelope_naming_the_parameter(site, params, envelope):
    response = get(params)

    assert response.status_code == 400
    assert response.json() == envelope
    assert response["Cache-Control"] == "no-store"


def test_a_bad_query_costs_no_database_query(site):
    get({"q": "warm"})  # site facts cached
    with CaptureQueriesContext(connection) as queries:
        assert get({"q": "x" * 300}).status_code == 400
    assert len(queries) == 0


def _queries(page_count: int) -> int:
    get({"q": "warmup"})
    with CaptureQueriesContext(connection) as queries:
        response = get({"q": "cloud", "perPage": 5, "highlight": "1", "page": page_count})
    assert response.status_code == 200 and len(response.json()["data"]) == 5
    return len(queries)


def test_queries_per_answer_are_flat_in_site_size(site, page):
    for index in range(6):
        page(f"Block {index}", f"cloud {index}")
    small = _queries(1)
    for index in range(6, 40):
        page(f"Block {index}", f"cloud {index}")

    assert _queries(1) == small == 2  # the count, the page


def test_rebuild_writes_every_document_again(site, page):
    block = page("Hero", "Cloud hosting")
    SearchDocument.objects.all().delete()
    assert block.pk and slugs(get({"q": "cloud"})) == []

    call_command("rebuild_search")

    assert slugs(get({"q": "cloud"})) == ["hero"]


@pytest.mark.postgres
def test_french_stemming_finds_chevaux_for_cheval(site, page):
    found = page("Ferme", "Les chevaux de la ferme", locale="fr")
    page("Farm", "The horses of the farm", locale="en")

    assert slugs(get({"q": "cheval", "locale": "fr"})) == [found.slug]
    assert slugs(get({"q": "horse"})) == ["farm"]  # english stems too


@pytest.mark.postgres
def test_websearch_syntax_phrases_and_exclusion(site, page):
    page("A", "cloud hosting plans")
    page("B", "hosting in the cloud")

    assert slugs(get({"q": '"cloud hosting"'})) == ["a"]
    assert slugs(get({"q": "cloud -plans"})) == ["b"]


@pytest.mark.postgres
def test_the_match_reads_through_the_gin_index(site, page):
    page("A", "cloud hosting")
    rows = SiteBlock.objects.filter(search_document__vector=search.PgQuery("cloud", config="english"))
    with transaction.atomic():
        with connection.cursor() as cursor:  # an almost empty table: make the planner show what it can use
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.explain()
    assert "searchdocument_vector_gin" in plan, plan


def test_a_block_missing_in_the_locale_is_searched_in_its_fallback(site, page):
    page("Hero", "Cloud hosting")  # en only; fr falls back to en

    response = get({"q": "cloud", "locale": "fr"})

    assert slugs(response) == ["hero"]
    assert response.json()["data"][0]["locale"] == "en" and response.json()["meta"]["locale"] == "fr"


def test_answers_carry_the_lists_cdn_key_and_are_cached(site, page):
    page("Hero", "Cloud hosting")
    first = get({"q": "cloud"})
    with CaptureQueriesContext(connection) as queries:
        again = get({"q": "cloud"})

    assert f"cms.s{site.pk}.list" in first["Surrogate-Key"].split()
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert len(queries) == 0


def test_rebuild_of_an_unknown_site_is_refused(site):
    with pytest.raises(CommandError, match=r"No site `nope`\."):
        call_command("rebuild_search", "--site", "nope")
