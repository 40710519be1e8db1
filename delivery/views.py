"""The delivery endpoints (docs/delivery-api.md): plain Django views, because this is the hot path.

DRF's request wrapping, negotiation and renderers cost more than the whole cache hit, so these views read
`request.GET` and `request.META` directly and answer with bytes rendered once at miss time. The shape of
the work per request:

    check parameters (pure Python) -> one cache round trip for site facts, generation and token ->
    authorise -> the answer from the process memo or the shared cache (or build it: a miss) ->
    304 on a matching If-None-Match, else the bytes (gzipped when the client accepts it)

Every error leaves as the envelope of docs/management-api.md "Errors" (`cms.api.exceptions.json_error_response`),
with CORS headers so a browser frontend can read it.
"""

from __future__ import annotations

import re
from typing import Literal

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from blocks import fieldquery as filters
from blocks.models import BlockType
from blocks.published import showing_release
from cms import errors, messages, nearcache
from cms.api.exceptions import json_error_response, unexpected_error
from cms.api.renderers import dumps
from cms.api.views import parse_flag
from cms.conf import cms_setting
from cms.digits import is_decimal
from delivery import access, answers, cdn, hot, rendered, responses, search, sync
from delivery import cache as dcache
from locales.selectors import chain_of

SITE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")
LOCALE_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}$")
PATH_RE = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")
MAX_PATH_LENGTH = 2048
MAX_TAGS = 20
MAX_INCLUDE = 3
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CORS = responses.CORS
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": "Authorization, If-None-Match, Accept-Encoding",
    "Access-Control-Max-Age": "86400",
}


# -- parameters ---------------------------------------------------------------------------------------------
#: a query string that reads the same raw as decoded: no `%` escape, no `+` for a space, ASCII only
PLAIN_QUERY_RE = re.compile(r"[A-Za-z0-9\-._~!$'()*,;:@/?=&]{0,512}")


def query_params(request):
    """The query's parameters, read without Django's `QueryDict` when the query string needs no decoding.

    Why: on a miss every request is a new URL, and building the `QueryDict` (its parser, its per-value lists
    and checks) was a fifth of the delivery code's own work. A plain query string (`?locale=fr`,
    `?path=/about`) is split here into a dict, which reads the same for everything the delivery views ask of
    it (`get`, iteration over names). Anything else (an escape, a `+`, a name given twice, more than 512
    characters) goes to `request.GET` as before, so no query reads differently.
    """
    raw = request.META.get("QUERY_STRING", "")
    if not PLAIN_QUERY_RE.fullmatch(raw):
        return request.GET
    params: dict[str, str] = {}
    for pair in raw.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            if name in params:
                return request.GET  # `QueryDict.get` reads the last one; lists are its business
            params[name] = value
    return params


def _refuse_unknown(params, allowed: frozenset[str], free_prefix: str | None = None) -> None:
    """400 naming every parameter the endpoint does not know (`free_prefix`: a family it parses itself)."""
    unknown = [name for name in params if name not in allowed and not (free_prefix and name.startswith(free_prefix))]
    if unknown:
        raise errors.BadRequest(
            "Unknown query parameter: " + ", ".join(sorted(unknown)) + ".",
            fields={name: "Unknown query parameter." for name in sorted(unknown)},
        )


def _positive(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not is_decimal(raw, max_digits=9) or int(raw) < 1:
        raise errors.BadRequest(f"`{name}` must be a positive integer.", fields={name: "Must be a positive integer."})
    return int(raw)


_digest = dcache.digest


def parse_include(params) -> int:
    """`include=N`: how many levels of references to resolve (docs/delivery-api.md "References"), 0 to 3."""
    raw = params.get("include")
    if raw is None or raw == "":
        return 0
    if not is_decimal(raw, max_digits=2) or int(raw) > MAX_INCLUDE:
        message = f"Must be a whole number from 0 to {MAX_INCLUDE}."
        raise errors.BadRequest(f"`include`: {message}", fields={"include": message})
    return int(raw)


def _cursor(params, order: str) -> filters.Cursor | None:
    """The list's `cursor=`, its signature and order checked (no query); it replaces `page`."""
    raw = params.get("cursor")
    if raw is None or raw == "":
        return None
    if params.get("page"):
        message = "Send `cursor` or `page`, not both."
        raise errors.BadRequest(f"`cursor`: {message}", fields={"cursor": message})
    cursor = filters.read_cursor(raw)
    if cursor.order != order:
        message = "This cursor was made for another order: send the same `order` as the first page."
        raise errors.BadRequest(f"`cursor`: {message}", fields={"cursor": message})
    return cursor


class BlockSpec:
    kind = "b"
    allowed = frozenset({"locale", "preview", "previewToken", "include"})

    def stamp(self, ident: str) -> str:
        """The ident of the stamp this answer's key holds (`delivery.cache`, "Why stamps"): the slug."""
        return self.slug

    def __init__(self, slug: str) -> None:
        self.slug = slug

    def check(self, params) -> str:
        if not SLUG_RE.match(self.slug):
            raise errors.NotFound(f"No published block `{self.slug[:200]}`.")
        self.include = parse_include(params)
        return f"{self.slug}|i{self.include}" if self.include else self.slug

    def build(self, facts, chain, preview: bool) -> dcache.Entry:
        return answers.block_entry(facts, self.slug, chain, preview=preview, include=self.include)

    def stored(self, facts, chain) -> dcache.Entry | None:
        """The answer rendered at publish (one query), or None (`delivery.rendered.find`); with `include`
        always None: the stored answer leaves references as slugs."""
        return None if self.include else rendered.find(facts.id, "b", self.slug, chain)

    def render(self, facts, chain) -> dcache.Entry:
        return answers.render_block(facts, self.slug, chain, preview=False, include=self.include)


class PageSpec:
    kind = "p"
    allowed = frozenset({"locale", "preview", "previewToken", "path", "include"})

    def stamp(self, ident: str) -> str:
        return _digest(self.path)

    def check(self, params) -> str:
        path = params.get("path")
        if path is None or path == "":
            raise errors.BadRequest("`path` is required, e.g. `?path=/about`.", fields={"path": "Required."})
        if len(path) > MAX_PATH_LENGTH:
            raise errors.BadRequest(
                f"`path` is longer than {MAX_PATH_LENGTH} characters.",
                fields={"path": messages.too_long(MAX_PATH_LENGTH)},
            )
        if not PATH_RE.match(path):
            raise errors.BadRequest(
                "`path` must start with / and hold only URL path characters.",
                fields={"path": "Must start with / and contain only URL path characters (no spaces, ? or #)."},
            )
        self.path = path
        self.include = parse_include(params)
        return _digest(path) + (f"|i{self.include}" if self.include else "")

    def build(self, facts, chain, preview: bool) -> dcache.Entry:
        return answers.page_entry(facts, self.path, chain, preview=preview, include=self.include)

    def stored(self, facts, chain) -> dcache.Entry | None:
        return None if self.include else rendered.find(facts.id, "p", _digest(self.path), chain)

    def render(self, facts, chain) -> dcache.Entry:
        return answers.render_page(facts, self.path, chain, preview=False, include=self.include)


class ListSpec:
    kind = "l"
    allowed = frozenset(
        {
            "locale",
            "preview",
            "previewToken",
            "type",
            "tags",
            "page",
            "perPage",
            "limit",
            "schemaOf",
            "order",
            "cursor",
            "include",
        }
    )
    free_prefix = "data."  # field filters, `data.price[lte]=30` (`blocks.fieldquery`)

    def stamp(self, ident: str) -> str:
        return "*"  # any list may show any block

    def check(self, params) -> str:
        kind = params.get("type") or None
        if kind is not None and kind not in BlockType.values:
            raise errors.BadRequest("Unknown block type.", fields={"type": "Must be `global` or `page`."})
        raw_tags = params.get("tags") or ""
        if len(raw_tags) > 1100:
            raise errors.BadRequest("Too many tags.", fields={"tags": messages.too_long(1100)})
        tags = sorted({tag.strip() for tag in raw_tags.split(",") if tag.strip()})
        if len(tags) > MAX_TAGS:
            raise errors.BadRequest("Too many tags.", fields={"tags": messages.too_many(MAX_TAGS, "tags")})
        self.type, self.tags = kind, tags
        self.page = _positive(params, "page", 1)
        if params.get("limit") and params.get("perPage"):
            raise errors.BadRequest(
                "`limit` and `perPage` name the same thing.", fields={"limit": "Send `limit` or `perPage`, not both."}
            )
        size_name = "limit" if params.get("limit") else "perPage"
        self.per_page = min(_positive(params, size_name, cms_setting("PAGE_SIZE")), cms_setting("MAX_PAGE_SIZE"))
        schema_of = params.get("schemaOf") or None
        if schema_of is not None and not SLUG_RE.match(schema_of):
            raise errors.BadRequest("`schemaOf` must be a block slug.", fields={"schemaOf": "Must be a block slug."})
        self.query = filters.parse(params, schema_of, params.get("order") or None)
        query_ident = self.query.ident() if self.query is not None else ""
        self.cursor = _cursor(params, self.query.order_name() if self.query is not None else "")
        self.include = parse_include(params)
        raw_cursor = params.get("cursor") or ""
        return _digest(
            f"{kind}|{','.join(tags)}|{self.page}|{self.per_page}|{query_ident}|{raw_cursor}|i{self.include}"
        )

    def stored(self, facts, chain) -> dcache.Entry | None:
        return None  # lists are rendered when read (and cached)

    def render(self, facts, chain) -> dcache.Entry:
        return self.build(facts, chain, False)

    def build(self, facts, chain, preview: bool) -> dcache.Entry:
        return answers.list_entry(
            facts,
            chain,
            preview=preview,
            type=self.type,
            tags=self.tags,
            page=self.page,
            per_page=self.per_page,
            query=self.query,
            cursor=self.cursor,
            include=self.include,
        )


class SearchSpec:
    """Full-text search (`delivery.search`). Its answers live in the lists' family (kind `l`, one stamp for all):
    any publish may change them, and an asset's change moves the lists' stamp. Its idents cannot meet a list's:
    the digested text starts with `search`."""

    kind = "l"
    allowed = frozenset({"locale", "q", "page", "perPage", "limit", "highlight"})

    def stored(self, facts, chain) -> dcache.Entry | None:
        return None  # searches are answered when asked (and cached)

    def render(self, facts, chain) -> dcache.Entry:
        return self.build(facts, chain, False)

    def stamp(self, ident: str) -> str:
        return "*"

    def check(self, params) -> str:
        self.q = search.parse_q(params)
        self.highlight = parse_flag(params.get("highlight"), "highlight")
        self.page = _positive(params, "page", 1)
        if params.get("limit") and params.get("perPage"):
            raise errors.BadRequest(
                "`limit` and `perPage` name the same thing.", fields={"limit": "Send `limit` or `perPage`, not both."}
            )
        size_name = "limit" if params.get("limit") else "perPage"
        self.per_page = min(_positive(params, size_name, cms_setting("PAGE_SIZE")), cms_setting("MAX_PAGE_SIZE"))
        return _digest(f"search\x1f{self.q}\x1f{self.page}\x1f{self.per_page}\x1f{int(self.highlight)}")

    def build(self, facts, chain, preview: bool) -> dcache.Entry:
        # `preview` is never true here: `preview` and `previewToken` are not parameters of search
        return search.search_entry(
            facts, chain, self.q, page=self.page, per_page=self.per_page, highlight=self.highlight
        )


# -- answering ----------------------------------------------------------------------------------------------
def respond(request, entry: dcache.Entry, *, private: bool, preview: bool) -> HttpResponse:
    meta = request.META
    gzipped = responses.wants_gzip(meta, entry)
    store = responses.header_store(entry, private=private, preview=preview, gzipped=gzipped)
    return responses.response(request.method, meta.get("HTTP_IF_NONE_MATCH"), entry, gzipped, store)


def error_response(error: errors.CmsError) -> HttpResponse:
    response = json_error_response(error)
    for name, value in CORS.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def serve(request, site_slug: str, spec) -> HttpResponse:
    try:
        method = request.method
        # Kept answers are for readers whose query string reads as everyone's: no charset of their own
        # (`request.encoding`, from a Content-Type) decoding it (`query_params` falls back to `request.GET`).
        shared = request.encoding is None
        if method == "GET" and shared and "HTTP_AUTHORIZATION" not in request.META:
            kept = hot.response(request)  # the same URL again, nothing it depends on changed (`delivery.hot`)
            if kept is not None:
                return kept
        if method == "OPTIONS":
            return HttpResponse(status=204, headers=PREFLIGHT)
        if method != "GET" and method != "HEAD":
            raise errors.MethodNotAllowed(
                f"The delivery API is read-only: {ALLOWED_METHODS}.", headers={"Allow": ALLOWED_METHODS}
            )
        params = query_params(request)
        _refuse_unknown(params, spec.allowed, getattr(spec, "free_prefix", None))
        preview = parse_flag(params.get("preview"), "preview")
        ident = spec.check(params)
        locale = params.get("locale")
        if locale is not None and not LOCALE_RE.match(locale):
            raise errors.NotFound("Not a locale of this site.", fields={"locale": "Not a locale this site enables."})
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        grant = access.preview_grant(authorization, params.get("previewToken"), params.get("preview"))
        token_hash = None if grant is not None else access.token_hash_from(authorization)
        preview = preview or grant is not None
        if not SITE_RE.match(site_slug):
            raise errors.NotFound("No such site.")
        facts: dcache.SiteFacts | Literal[0] | dcache.Missing | None  # None: `load_site` found no site
        stamp_key = dcache.stamp_key(site_slug, spec.kind, spec.stamp(ident))
        facts, generation, token, stamp = dcache.lookup(site_slug, token_hash, stamp_key)
        # All three from the near cache's copies: the answer may be kept whole for this URL (`delivery.hot`).
        known = token_hash is None and facts and isinstance(generation, int) and isinstance(stamp, int)
        note = nearcache.watch() if known else None
        if token is dcache.MISSING and token_hash is not None:  # `lookup` says MISSING only for a sent token
            token = access.load_token(token_hash)
        if token_hash is not None:  # judged before the site: the same 401 whether the site exists or not
            access.check_token(token or None)
        if facts is dcache.MISSING:
            facts = access.load_site(site_slug)
        if not facts:
            raise access.site_not_found(site_slug)
        overlay = None
        if grant is not None:
            access.authorize_grant(facts, grant)
            if grant.release_id is not None:  # the release's state over the live site, never cached
                overlay = access.release_overlay(facts, grant.release_id)
                preview = False
        else:
            access.authorize(facts, token or None, preview=preview)
        locale = locale or facts.default_locale
        if locale not in facts.fallbacks:
            locale = _known_spelling(facts, locale)
        if locale not in facts.fallbacks:
            raise errors.NotFound(
                f"`{locale}` is not a locale of this site.", fields={"locale": "Not a locale this site enables."}
            )
        private = not facts.is_public
        chain = _chain(facts, locale)
        if overlay is not None:
            with showing_release(overlay):  # rendered now: a stored answer knows nothing of the release
                entry = spec.render(facts, chain)
            return respond(request, entry, private=True, preview=True)
        if preview:
            entry = spec.build(facts, chain, True)
            return respond(request, entry, private=True, preview=True)
        if generation is dcache.MISSING or not isinstance(generation, int):
            generation = dcache.new_generation(site_slug)
        if generation is None:  # the cache is unreachable: render from the database, store nothing
            return respond(request, spec.build(facts, chain, False), private=private, preview=False)
        stored_asked = False  # the stored answer was asked for, and there is none: not asked again below
        if not isinstance(stamp, int):  # not in this process's copies: not asked for here since they changed
            if dcache.first_ask(facts.id, generation, spec.kind, locale, ident):
                # Asked for the first time in this generation: the stored answer as it is, memoised only from
                # the second ask on (`dcache.first_ask`), so no round trip for the stamp the memo's key needs.
                entry = spec.stored(facts, chain)
                if entry is not None:
                    return respond(request, entry, private=private, preview=False)
                stored_asked = True
            stamp = dcache.read_stamp(stamp_key)
        if stamp is None:
            return respond(request, spec.build(facts, chain, False), private=private, preview=False)
        key = dcache.answer_key(facts.id, generation, spec.kind, locale, ident, stamp)
        entry = dcache.get_local(key)
        if entry is None:
            entry = _miss(spec, facts, chain, key, ask_stored=not stored_asked)
        if note is not None and shared and not private and entry.expires_at is None:
            hot.keep(request, entry, note)
        return respond(request, entry, private=private, preview=False)
    except errors.CmsError as error:
        return error_response(error)
    except Exception as exc:  # the envelope even for our own bugs (503 for a database outage); never a trace
        return error_response(unexpected_error(exc, f"Delivery request failed: {request.get_full_path()[:300]}"))


def _miss(spec, facts: dcache.SiteFacts, chain: list[str], key: str, *, ask_stored: bool) -> dcache.Entry:
    """No answer in this process's memo: the answer rendered at publish (one query, kept in this process only:
    reading it from the shared cache would cost the same round trip), else read-time rendering, shared
    through Redis."""
    entry = spec.stored(facts, chain) if ask_stored else None
    if entry is not None:
        dcache.local_put(key, entry)
        return entry
    entry = dcache.get_answer(key)
    if entry is None:
        entry = spec.render(facts, chain)
        dcache.put_answer(key, entry)
    return entry


def _known_spelling(facts: dcache.SiteFacts, locale: str) -> str:
    """`fr-ca` names the site's `fr-CA`: locale codes compare case-insensitively (BCP 47)."""
    lowered = locale.lower()
    return next((code for code in facts.fallbacks if code.lower() == lowered), locale)


def _chain(facts: dcache.SiteFacts, locale: str) -> list[str]:
    return chain_of(locale, facts.fallbacks, facts.default_locale)


@csrf_exempt
def block_detail(request, site: str, slug: str) -> HttpResponse:
    """GET /api/v1/delivery/{site}/blocks/{slug}?locale=&preview="""
    return serve(request, site, BlockSpec(slug))


@csrf_exempt
def page_detail(request, site: str) -> HttpResponse:
    """GET /api/v1/delivery/{site}/pages?path=/about&locale=&preview="""
    return serve(request, site, PageSpec())


@csrf_exempt
def block_list(request, site: str) -> HttpResponse:
    """GET /api/v1/delivery/{site}/blocks?type=&tags=&locale=&page=&perPage=&preview=&schemaOf=&data.x[op]=&order=
    &cursor=&include="""
    return serve(request, site, ListSpec())


@csrf_exempt
def block_search(request, site: str) -> HttpResponse:
    """GET /api/v1/delivery/{site}/search?q=&locale=&page=&perPage=&highlight="""
    return serve(request, site, SearchSpec())


def reader_facts(request, site_slug: str) -> dcache.SiteFacts:
    """The site's facts when this reader may read its published content (the checks of `serve`, in its order)."""
    token_hash = access.token_hash_from(request.META.get("HTTP_AUTHORIZATION", ""))
    if not SITE_RE.match(site_slug):
        raise errors.NotFound("No such site.")
    facts: dcache.SiteFacts | Literal[0] | dcache.Missing | None  # None: `load_site` found no site
    facts, _, token, _ = dcache.lookup(site_slug, token_hash)
    if token is dcache.MISSING and token_hash is not None:
        token = access.load_token(token_hash)
    if token_hash is not None:
        access.check_token(token or None)
    if facts is dcache.MISSING:
        facts = access.load_site(site_slug)
    if not facts:
        raise access.site_not_found(site_slug)
    access.authorize(facts, token or None, preview=False)
    return facts


def serve_sync(request, site_slug: str) -> HttpResponse:
    """The sync feed's page (`delivery.sync`): never cached, here or on the way (`no-store`)."""
    method = request.method
    if method == "OPTIONS":
        return HttpResponse(status=204, headers=PREFLIGHT)
    if method != "GET" and method != "HEAD":
        raise errors.MethodNotAllowed(
            f"The delivery API is read-only: {ALLOWED_METHODS}.", headers={"Allow": ALLOWED_METHODS}
        )
    params = request.GET
    _refuse_unknown(params, sync.ALLOWED)
    limit = sync.parse_limit(params)
    raw_cursor = params.get("cursor")
    cursor = sync.decode_cursor(raw_cursor) if raw_cursor else None
    facts = reader_facts(request, site_slug)
    body = dumps(sync.sync_page(facts, cursor, limit))
    headers = {
        **CORS,
        "Cache-Control": "no-store" if facts.is_public else "private, no-store",
        **cdn.key_headers(cdn.answer_keys(facts.id)),
    }
    response = HttpResponse(b"" if method == "HEAD" else body, content_type="application/json", headers=headers)
    if method == "HEAD":
        response.headers["Content-Length"] = str(len(body))
    return response


@csrf_exempt
def sync_feed(request, site: str) -> HttpResponse:
    """GET /api/v1/delivery/{site}/sync?cursor=&limit="""
    try:
        return serve_sync(request, site)
    except errors.CmsError as error:
        return error_response(error)
    except Exception as exc:  # the envelope even for our own bugs (503 for a database outage); never a trace
        return error_response(unexpected_error(exc, f"Sync request failed: {request.get_full_path()[:300]}"))
