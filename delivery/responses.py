"""A delivery answer as an HTTP response: its headers (CORS, ETag, caching, CDN keys), 304, gzip and HEAD.

Why headers are built apart from the response: Django checks every header it is given (latin-1, no line
break), and for the ten or so headers of an answer that check cost more than the rest of a cache hit. So
`header_store` runs the check once and `response` copies the checked headers into each response; the hot
path (`delivery.hot`) keeps them with the answer and checks nothing again.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import ResponseHeaders

from cms.conf import cms_setting
from delivery import answers
from delivery.cache import Entry

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Language",
}

#: `{lower-case name: (name, value)}`: the headers as Django's `ResponseHeaders` keeps them, already checked
HeaderStore = dict[str, tuple[str, str]]


def cache_control(entry: Entry, *, private: bool, preview: bool) -> str:
    if preview:
        return "private, no-store"
    max_age = cms_setting("DELIVERY_MAX_AGE")
    left = answers.seconds_left(entry)
    if left is not None:
        max_age = min(max_age, left)
    scope = "private" if private else "public"
    return f"{scope}, max-age={max_age}, stale-while-revalidate={cms_setting('DELIVERY_STALE_WHILE_REVALIDATE')}"


def _stored(headers: dict[str, str]) -> HeaderStore:
    return {name.lower(): (name, value) for name, value in headers.items()}


#: the headers every answer of a kind carries, as stored: for a public answer, and a private or preview one
_FIXED = {
    False: _stored({**CORS, "Vary": "Accept-Encoding"}),
    True: _stored({**CORS, "Vary": "Accept-Encoding, Authorization"}),
}


def header_store(entry: Entry, *, private: bool, preview: bool, gzipped: bool) -> HeaderStore:
    """The answer's headers (without Content-Type and Content-Encoding), checked once."""
    etag = entry.etag[:-1] + '-gz"' if gzipped else entry.etag
    locale, keys = entry.locale, entry.keys
    store = _FIXED[private or preview].copy()
    store["etag"] = ("ETag", etag)
    store["cache-control"] = ("Cache-Control", cache_control(entry, private=private, preview=preview))
    if locale:
        store["content-language"] = ("Content-Language", locale)
    if keys:  # what the answer depends on, for a CDN to purge by (`delivery.cdn`)
        store["surrogate-key"] = ("Surrogate-Key", keys)
        store["cache-tag"] = ("Cache-Tag", keys.replace(" ", ","))
    if _printable_ascii(etag) and _printable_ascii(locale or "") and _printable_ascii(keys):
        return store  # the other values are ours and constant: Django's check would pass them all unchanged
    # Django keeps checked headers in `_store` (private, stable since 3.2); copying it is the point here.
    return ResponseHeaders(dict(store.values()))._store  # its check: encodes, or refuses a line break


def _printable_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable()


#: not sent with a 304 (RFC 9110 15.4.5: no representation metadata but what guides cache updates; a
#: Content-Type there, Django's text/html default, would replace the JSON type in a cache that updates
#: its stored headers from the 304)
NOT_IN_304 = ("content-type", "content-language")


def wants_gzip(meta, entry: Entry) -> bool:
    return entry.gzipped is not None and "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "")


def etag_matches(sent: str, etag: str) -> bool:
    if sent == etag:  # the usual case: the ETag this client was given, sent back alone
        return True
    if sent.strip() == "*":
        return True
    bare = etag[:-1]
    return any(candidate.strip() in (etag, bare + '-gz"') for candidate in sent.split(","))


def response(method: str, sent_etag: str | None, entry: Entry, gzipped: bool, store: HeaderStore) -> HttpResponse:
    """304 when `sent_etag` (If-None-Match) matches, else the body (its gzip when `gzipped`; none for HEAD)."""
    if sent_etag and entry.status == 200 and etag_matches(sent_etag, entry.etag):
        answer = HttpResponse(status=304, content_type="application/json")  # named: no default to work out
        kept = answer.headers._store
        kept.update(store)
        for name in NOT_IN_304:
            kept.pop(name, None)
        # Django's CommonMiddleware adds `Content-Length: 0`. RFC 9110 (8.6) would rather have the 200's
        # length or none, but clients built on http-parser (wrk, older Node) then wait for that many bytes
        # after a 304 (tried: wrk stalled); 0 is what every client reads as "no body".
        return answer
    body = entry.gzipped if gzipped else entry.body
    assert body is not None  # `gzipped` only when the entry has a gzip (`wants_gzip`)
    answer = HttpResponse(b"" if method == "HEAD" else body, status=entry.status, content_type="application/json")
    answer.headers._store.update(store)
    if gzipped:
        answer.headers["Content-Encoding"] = "gzip"
    if method == "HEAD":
        answer.headers["Content-Length"] = str(len(body))
    return answer
