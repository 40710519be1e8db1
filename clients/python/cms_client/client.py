"""`CmsClient`: one site's delivery API over httpx, with ETag revalidation (see the package docstring)."""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from urllib.parse import quote, urlencode

import httpx

from cms_client.types import BlockAnswer, ListAnswer, SyncAnswer, SyncItem

DEFAULT_CACHE_ENTRIES = 500


class CmsError(Exception):
    """An error answer of the API (its envelope's `code`, `message`, `fields`), or `network_error` (status 0)
    and `bad_response` (an answer that is not the API's JSON)."""

    def __init__(self, *, status: int, code: str, message: str, fields: dict[str, str] | None = None, url: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields: dict[str, str] = fields or {}
        self.url = url

    def __repr__(self) -> str:
        return f"CmsError(status={self.status}, code={self.code!r}, message={self.message!r}, fields={self.fields!r})"


@dataclass
class SyncResult:
    """Every change of every page of the sync feed, in `sequence` order, and the cursor to pass next time."""

    items: list[SyncItem]
    cursor: str


@dataclass
class Stats:
    """Requests sent, and how many were answered `304 Not Modified`."""

    requests: int = 0
    not_modified: int = 0


@dataclass
class _Kept:
    etag: str
    body: Any = field(repr=False)


class CmsClient:
    """A client of one site's delivery API: `CmsClient("https://cms.example.com", site="demo")`.

    `token`: a `read` token (private sites) or a `preview` token; none for a public site's published content.
    `locale`: the default locale of every read. `http`: an `httpx.Client` to use (else one is made, and closed
    by `close()` or the `with` block)."""

    def __init__(
        self,
        base_url: str,
        *,
        site: str,
        token: str | None = None,
        locale: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        cache_entries: int = DEFAULT_CACHE_ENTRIES,
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/api/v1/delivery/{quote(site, safe='')}"
        self._token = token
        self._locale = locale
        self._own_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._cache: OrderedDict[str, _Kept] = OrderedDict()
        self._cache_entries = cache_entries
        self.stats = Stats()

    # -- reads --------------------------------------------------------------------------------------------
    def get_block(self, slug: str, *, locale: str | None = None, preview: bool = False) -> BlockAnswer:
        """One published block by slug (`preview=True`: the working copy; needs a `preview` token)."""
        return cast(BlockAnswer, self._get(f"/blocks/{quote(slug, safe='')}", self._common(locale, preview)))

    def get_page(self, path: str, *, locale: str | None = None, preview: bool = False) -> BlockAnswer:
        """The published page at `path` (`/about`)."""
        return cast(BlockAnswer, self._get("/pages", {"path": path, **self._common(locale, preview)}))

    def list_blocks(
        self,
        *,
        type: Literal["global", "page"] | None = None,
        tags: list[str] | str | None = None,
        page: int | None = None,
        per_page: int | None = None,
        locale: str | None = None,
        preview: bool = False,
    ) -> ListAnswer:
        """A page of published blocks; `tags` matches blocks with any of them."""
        query = self._common(locale, preview)
        if type is not None:
            query["type"] = type
        if tags is not None:
            query["tags"] = tags if isinstance(tags, str) else ",".join(tags)
        if page is not None:
            query["page"] = str(page)
        if per_page is not None:
            query["perPage"] = str(per_page)
        return cast(ListAnswer, self._get("/blocks", query))

    def sync(self, *, cursor: str | None = None, limit: int | None = None) -> SyncResult:
        """The sync feed: every change since `cursor` (a full sync without one), page after page while
        `hasMore`. Keep the returned cursor for next time; a `CmsError` with code `sync_cursor_expired` (410)
        means: sync again from scratch."""
        items: list[SyncItem] = []
        while True:
            query: dict[str, str] = {}
            if cursor is not None:
                query["cursor"] = cursor
            if limit is not None:
                query["limit"] = str(limit)
            answer = cast(SyncAnswer, self._get("/sync", query, revalidate=False))
            items.extend(answer["data"])
            cursor = answer["meta"]["cursor"]
            if not answer["meta"]["hasMore"]:
                return SyncResult(items=items, cursor=cursor)

    def clear_cache(self) -> None:
        """Forget every remembered answer (the next reads are sent without `If-None-Match`)."""
        self._cache.clear()

    # -- lifecycle ----------------------------------------------------------------------------------------
    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> CmsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the one request path -----------------------------------------------------------------------------
    def _common(self, locale: str | None, preview: bool) -> dict[str, str]:
        query: dict[str, str] = {}
        code = locale or self._locale
        if code:
            query["locale"] = code
        if preview:
            query["preview"] = "true"
        return query

    def _get(self, path: str, query: dict[str, str], *, revalidate: bool = True) -> Any:
        url = self._base + path + (f"?{urlencode(sorted(query.items()))}" if query else "")
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        kept = self._cache.get(url) if revalidate else None
        if kept is not None:
            headers["If-None-Match"] = kept.etag
        self.stats.requests += 1
        try:
            response = self._http.get(url, headers=headers)
        except httpx.HTTPError as error:
            raise CmsError(status=0, code="network_error", message=f"{url}: {error}", url=url) from error
        if response.status_code == 304 and kept is not None:
            self.stats.not_modified += 1
            self._remember(url, kept)
            return copy.deepcopy(kept.body)
        try:
            body = response.json() if response.content else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not response.is_success:
            envelope = body.get("error") if isinstance(body, dict) else None
            if not isinstance(envelope, dict):
                envelope = {}
            raise CmsError(
                status=response.status_code,
                code=envelope.get("code") or "bad_response",
                message=envelope.get("message") or f"{response.status_code} {response.reason_phrase} from {url}",
                fields=envelope.get("fields") or {},
                url=url,
            )
        if not isinstance(body, dict):
            raise CmsError(status=response.status_code, code="bad_response", message=f"Not JSON: {url}", url=url)
        etag = response.headers.get("etag")
        if revalidate and etag:
            self._remember(url, _Kept(etag, body))
        return copy.deepcopy(body)

    def _remember(self, url: str, kept: _Kept) -> None:
        self._cache[url] = kept
        self._cache.move_to_end(url)
        while len(self._cache) > self._cache_entries:
            self._cache.popitem(last=False)
