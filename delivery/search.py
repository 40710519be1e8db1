"""Full-text search over a site's published text (docs/delivery-api.md "Search").

`GET /api/v1/delivery/{site}/search?q=cloud hosting&locale=fr&highlight=1`

**Documents.** Each published block has one `SearchDocument`: its `string`, `text` and `richtext` fields (at
any depth of objects and arrays; richtext without its markup) as plain text, in its locale's language. It is
written by `record_block_events`, subscribed to `blocks.events.recorded` (inside the transaction of the
write that changes what is live: a publish, a published block edited by a schema change, an unpublish, a
delete), so a reader never finds a block by words it no longer has. `manage.py rebuild_search` writes every
document again from the published snapshots (after a bulk load, or a change of the language rules here).

**PostgreSQL.** The document holds `to_tsvector(config, text)` under a GIN index, where `config` is the
locale's language (`config_for`: `en` → english, `fr` → french, …, else `simple`: no stemming, no stop
words). A query is `websearch_to_tsquery` (quoted phrases, `or`, `-word`), matched per language of the locale
chain (so the index serves each), ranked by `ts_rank`; `highlight=1` adds `ts_headline` snippets.

**SQLite** (development, tests): no stemming. The document also holds its words case-folded (`words`, each
wrapped in spaces); a block matches when it has every word of the query, ranked by how many times they occur.

**Which blocks.** Those the list would show: live, each block once in the best locale of the chain
(`delivery.selectors.fallback_rows`). Ties in rank are broken by id, so pages never overlap.

**Bounded.** The query is at most `MAX_QUERY_LENGTH` characters; the match reads through the GIN index, the
rank is computed only for matching rows, snippets only for the page's rows.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.contrib.postgres.search import SearchQuery as PgQuery
from django.db import connection
from django.db.models import Count, Expression, F, FloatField, Min, Q, Value
from django.db.models.functions import Cast, Length, Replace

from blocks.datasources.resolver import copy_json
from blocks.events import BlockEvent
from blocks.models import BlockStatus, SiteBlock
from blocks.published import content_of
from cms import errors, messages
from delivery import answers, cdn, selectors
from delivery.cache import Entry, SiteFacts
from delivery.models import SearchDocument

MAX_QUERY_LENGTH = 256
#: SQLite: the words of a query that count (each is one LIKE); PostgreSQL's tsquery needs no such cap
MAX_QUERY_WORDS = 16
#: a document's text is cut here (a tsvector holds at most 1 MB)
MAX_TEXT_LENGTH = 400_000
SNIPPET_WORDS = 30
WRITE_BATCH = 200

#: PostgreSQL's text search configurations by a locale's language subtag; any other language: `simple`
CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
#: what `ts_headline` puts around a hit, replaced by <mark> once the snippet is HTML-escaped (private-use
#: characters, removed from every document, so a text can never forge a mark)
OPEN, CLOSE = "\ue000", "\ue001"
TEXT_TYPES = frozenset({"string", "text"})
#: tags that separate words (`<p>a</p><p>b</p>` is "a b"); any other tag joins (`<b>Cl</b>oud` is "Cloud")
_BREAKING_TAGS = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|pre|table|tr|td|th|section|article|figure|figcaption)\b[^>]*>",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
WORD_RE = re.compile(r"\w+")


def config_for(locale: str) -> str:
    """The text search configuration of `locale`'s language: `fr-CA` → french, `sw` → simple."""
    return CONFIGS.get(locale.split("-", 1)[0].lower(), "simple")


# -- parameters -----------------------------------------------------------------------------------------------
def parse_q(params) -> str:
    """`q`, checked with no query: required, not blank, at most `MAX_QUERY_LENGTH` characters, no NUL."""
    raw = params.get("q")
    if raw is None or not raw.strip():
        raise errors.BadRequest("`q` is required, e.g. `?q=cloud hosting`.", fields={"q": "Required."})
    if len(raw) > MAX_QUERY_LENGTH:
        raise errors.BadRequest(
            f"`q` is longer than {MAX_QUERY_LENGTH} characters.", fields={"q": messages.too_long(MAX_QUERY_LENGTH)}
        )
    if "\x00" in raw:
        message = "Must not contain NUL characters."
        raise errors.BadRequest(f"`q`: {message}", fields={"q": message})
    return _SPACES.sub(" ", raw.strip())


# -- documents ------------------------------------------------------------------------------------------------
def plain_text(markup: str) -> str:
    """Richtext without its markup, entities decoded."""
    return html.unescape(_TAGS.sub("", _BREAKING_TAGS.sub(" ", markup)))


def _collect(field: dict, value: Any, out: list[str]) -> None:
    kind = field.get("type")
    if kind in TEXT_TYPES and isinstance(value, str):
        out.append(value)
    elif kind == "richtext" and isinstance(value, str):
        out.append(plain_text(value))
    elif kind == "object" and isinstance(value, dict):
        collect_fields(field.get("fields") or [], value, out)
    elif kind == "array" and isinstance(value, list) and isinstance(field.get("items"), dict):
        for item in value:
            _collect(field["items"], item, out)


def collect_fields(schema: list, data: dict, out: list[str]) -> None:
    for field in schema:
        if isinstance(field, dict) and isinstance(field.get("name"), str):
            _collect(field, data.get(field["name"]), out)


def document_text(snapshot: dict | None) -> str:
    """The searchable text of a published snapshot: its text fields in schema order, one per line."""
    snapshot = snapshot or {}
    schema, data = snapshot.get("schema"), snapshot.get("data")
    out: list[str] = []
    if isinstance(schema, list) and isinstance(data, dict):
        collect_fields(schema, data, out)
    text = "\n".join(part.strip() for part in out if part.strip())
    return text.replace(OPEN, " ").replace(CLOSE, " ").replace("\x00", " ")[:MAX_TEXT_LENGTH]


def words_of(text: str) -> str:
    """SQLite's match column: every word case-folded and wrapped in spaces, ` cloud  hosting `, so ` word `
    occurrences never overlap and counting them is a length difference."""
    return "".join(f" {word} " for word in WORD_RE.findall(text.casefold()))


#: events after which a block's live text may differ: every other (a draft edited, a published block renamed,
#: re-tagged or scheduled) leaves its published snapshot as it was
TEXT_EVENTS = frozenset(
    {"block.published", "block.unpublished", "block.deleted", "block.restored", "block.schema_updated"}
)
#: events after which the block is certainly not live: its document goes without reading the block
ENDING_EVENTS = frozenset({"block.unpublished", "block.deleted"})


def record_block_events(events: Iterable[BlockEvent]) -> None:
    """`blocks.events.recorded` (inside the write's transaction): write the documents of the blocks whose live
    text the write may have changed, delete those of the blocks it took offline. Other writes cost nothing; an
    unpublish or delete costs one statement, a publish two (one more per 200 blocks published)."""
    last: dict[int, str] = {}
    for event in events:
        if event.event in TEXT_EVENTS:
            last[event.block_id] = event.event
    ending = {block_id for block_id, name in last.items() if name in ENDING_EVENTS}
    if ending:
        SearchDocument.objects.filter(block_id__in=ending).delete()
    if len(ending) < len(last):
        write_documents(set(last) - ending)


def write_documents(block_ids: Iterable[int]) -> None:
    ids = set(block_ids)
    rows = list(
        SiteBlock.objects.filter(pk__in=ids)
        .filter(status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)
        .values_list("pk", "site_id", "locale", "published_snapshot")
        .order_by()
    )
    gone = ids - {row[0] for row in rows}
    if gone:
        SearchDocument.objects.filter(block_id__in=gone).delete()
    for start in range(0, len(rows), WRITE_BATCH):
        _upsert(rows[start : start + WRITE_BATCH])


def _upsert(rows: list[tuple[int, int, str, Any]]) -> None:
    if not rows:
        return
    documents = [(pk, site_id, locale, config_for(locale), document_text(snap)) for pk, site_id, locale, snap in rows]
    if connection.vendor != "postgresql":
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(block_id=pk, site_id=site, locale=locale, config=config, text=text, words=words_of(text))
                for pk, site, locale, config, text in documents
            ],
            update_conflicts=True,
            unique_fields=["block"],
            update_fields=["site", "locale", "config", "text", "words"],
        )
        return
    table = SearchDocument._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, '', to_tsvector(%s::regconfig, %s))"] * len(documents))
    params: list[Any] = []
    for pk, site, locale, config, text in documents:
        params += [pk, site, locale, config, text, config, text]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (block_id, site_id, locale, config, text, words, vector) VALUES {values} "
            "ON CONFLICT (block_id) DO UPDATE SET site_id = EXCLUDED.site_id, locale = EXCLUDED.locale, "
            "config = EXCLUDED.config, text = EXCLUDED.text, words = EXCLUDED.words, vector = EXCLUDED.vector",
            params,
        )


def rebuild(site_id: int | None = None, *, batch: int = 1000) -> int:
    """Write every document again from the published snapshots (of one site, or all); answers how many.
    Documents of blocks no longer live go. Run by `manage.py rebuild_search`."""
    documents = SearchDocument.objects.all()
    blocks = SiteBlock.objects.filter(status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)
    if site_id is not None:
        documents, blocks = documents.filter(site_id=site_id), blocks.filter(site_id=site_id)
    documents.exclude(block_id__in=blocks.values("pk")).delete()
    ids = list(blocks.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        write_documents(ids[start : start + batch])
    return len(ids)


# -- the query ------------------------------------------------------------------------------------------------
def _pg_match(q: str, chain: list[str]) -> tuple[Q, Expression]:
    """One `@@` per language of the chain, each with a constant configuration so the GIN index serves it."""
    condition = Q()
    for config in dict.fromkeys(config_for(code) for code in chain):
        locales = [code for code in chain if config_for(code) == config]
        match = PgQuery(q, config=config, search_type="websearch")
        condition |= Q(locale__in=locales, search_document__vector=match)
    own = PgQuery(q, config=F("search_document__config"), search_type="websearch")
    return condition, SearchRank(F("search_document__vector"), own)


def query_words(q: str) -> list[str]:
    return list(dict.fromkeys(WORD_RE.findall(q.casefold())))[:MAX_QUERY_WORDS]


def _fallback_match(q: str) -> tuple[Q, Expression]:
    """Every word of the query, as a whole word; the rank is the number of occurrences of the query's words."""
    words = query_words(q)
    if not words:
        return Q(pk__in=[]), Value(0.0)
    condition = Q()
    hits: Any = Value(0.0)
    column = F("search_document__words")
    for word in words:
        token = f" {word} "
        condition &= Q(search_document__words__contains=token)
        removed = Length(column) - Length(Replace(column, Value(token), Value("")))
        hits = hits + Cast(removed, FloatField()) / Value(float(len(token)))
    return condition, hits


def search_page(
    site_id: int, chain: list[str], q: str, *, page: int, per_page: int, highlight: bool
) -> tuple[list[SiteBlock], int, Any]:
    """`(rows of the page, total, earliest scheduled unpublish among the matches)`, in two queries. Each row
    carries `search_rank` and, with `highlight`, `search_snippet` (PostgreSQL) or `search_text` (SQLite)."""
    postgres = connection.vendor == "postgresql"
    condition, rank = _pg_match(q, chain) if postgres else _fallback_match(q)
    rows = selectors.fallback_rows(site_id, chain).filter(condition)
    summary = rows.aggregate(total=Count("id"), expires=Min("scheduled_unpublish_at"))
    total = summary["total"]
    offset = (page - 1) * per_page
    if offset >= total:
        return [], total, summary["expires"]
    extra: dict[str, Any] = {"search_rank": rank}
    if highlight and postgres:
        own = PgQuery(q, config=F("search_document__config"), search_type="websearch")
        extra["search_snippet"] = SearchHeadline(
            "search_document__text",
            own,
            config=F("search_document__config"),
            start_sel=OPEN,
            stop_sel=CLOSE,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
        )
    elif highlight:
        extra["search_text"] = F("search_document__text")
    found = list(rows.annotate(**extra).order_by(F("search_rank").desc(), "id")[offset : offset + per_page])
    return found, total, summary["expires"]


def marked(snippet: str) -> str:
    """A headline as HTML: the text escaped, the hits in <mark>."""
    return html.escape(snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def fallback_snippet(text: str, words: list[str]) -> str:
    """SQLite's `ts_headline`: about `SNIPPET_WORDS` words around the first hit, the hits marked."""
    wanted = set(words)
    spans = [(m.start(), m.end(), m.group().casefold() in wanted) for m in WORD_RE.finditer(text)]
    first = next((index for index, span in enumerate(spans) if span[2]), 0)
    window = spans[max(0, first - 5) : max(0, first - 5) + SNIPPET_WORDS]
    if not window:
        return ""
    out, cursor = [], window[0][0]
    for start, end, hit in window:
        out.append(text[cursor:start])
        out.append(OPEN + text[start:end] + CLOSE if hit else text[start:end])
        cursor = end
    return marked(_SPACES.sub(" ", "".join(out)).strip())


def search_entry(facts: SiteFacts, chain: list[str], q: str, *, page: int, per_page: int, highlight: bool) -> Entry:
    """The answer of a search: the page's blocks as the list shows them, each with `search` (its rank and,
    with `highlight`, its snippet), and the list's `meta` plus `query`."""
    rows, total, expires = search_page(facts.id, chain, q, page=page, per_page=per_page, highlight=highlight)
    resolution = answers._resolution(facts, False)
    words = query_words(q)
    items = []
    for row in rows:
        schema, data = content_of(row, preview=False)
        data = copy_json(data)
        resolution.add(data, schema, row.locale, row.pk)
        item = answers.block_payload(row, data, preview=False)
        found: dict[str, Any] = {"rank": round(float(row.search_rank or 0.0), 6)}  # type: ignore[attr-defined]
        if highlight:
            snippet = getattr(row, "search_snippet", None)
            found["snippet"] = (
                marked(snippet) if snippet is not None else fallback_snippet(getattr(row, "search_text", ""), words)
            )
        item["search"] = found
        items.append(item)
    resolution.run()
    meta = {
        "total": total,
        "perPage": per_page,
        "currentPage": page,
        "lastPage": max(1, math.ceil(total / per_page)),
        "locale": chain[0],
        "query": q,
    }
    keys = cdn.answer_keys(facts.id, lists=True, assets=resolution.asset_ids)
    return answers.render(
        200, {"data": items, "meta": meta}, locale=chain[0], expires=answers._expiry(resolution, expires), keys=keys
    )
