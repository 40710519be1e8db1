"""The front door: a delivery answer kept whole (`delivery.hot`) served before Django's handler runs.

Why: a kept answer costs `serve` a dict lookup, yet the request still went through Django's handler and its
fourteen middleware (sessions, CSRF, messages, authentication, the security headers...), which is most of
what a cache hit costs the origin: a hit served about what a bare Django view serves. Nothing those
middleware do changes the answer to an anonymous GET of the delivery API with no cookie: they add the same
headers every time. So the first time a kept answer goes out through the whole stack, the WSGI answer as it
left Django (status, every header, the body) is kept with it, per variant of the request; a request that
matches one is answered with it, while the kept answer itself still stands (`hot.current`: nothing it
depends on changed, checked exactly as `serve` checks it).

What a variant is: everything else in the request that Django, the middleware or `serve` read for such a
request: gzip accepted or not, whether `If-None-Match` matches (a 304 or the body), and the host and scheme
(the host is validated, the scheme decides redirects and HSTS when those settings are on; the forwarded
headers count where Django's settings make it read them). At most `VARIANTS` per answer, the oldest
making room for a new one.

Never served from here (the whole path runs, as before): any method but GET, a request with Authorization
or Cookie (previews, sessions, CSRF), a body or a `Content-Type` (a charset there changes how Django decodes
the query string), a path that is not plain ASCII, and every request while the delivery rate limit is on
(it counts each request per client address) or `DISALLOWED_USER_AGENTS` is set. For an answer served
here Django sends no `request_started`/`request_finished` signal (they close and reset database
connections, `close_old_connections`: this answer used none) and logs nothing: a kept 404 answered here
is not logged as "Not Found" by Django, as a CDN's answers are not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings

from cms.conf import cms_setting
from delivery import hot, responses
from delivery.cache import Entry

logger = logging.getLogger("cms.delivery")

PATH_PREFIX = "/api/v1/delivery/"
#: whole answers kept per kept answer (plain, gzip, 304 to the current ETag, ...)
VARIANTS = 4
_ANSWERED = ("200 ", "304 ", "404 ")  # what a kept answer is (an unknown slug is kept too)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def _variant(environ: dict, entry: Entry) -> tuple:
    """What else in the request decides the answer to it (see the module docstring). `If-None-Match` counts
    only as "a 304 or not", and the forwarded headers only where Django reads them: values that change
    nothing make no variant of their own."""
    sent_etag = environ.get("HTTP_IF_NONE_MATCH", "")
    proxy_ssl = settings.SECURE_PROXY_SSL_HEADER
    return (
        "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""),
        sent_etag != "" and entry.status == 200 and responses.etag_matches(sent_etag, entry.etag),
        environ.get("HTTP_HOST"),
        environ.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None,
        environ.get("HTTP_X_FORWARDED_PORT") if settings.USE_X_FORWARDED_PORT else None,
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("wsgi.url_scheme"),
        environ.get(proxy_ssl[0]) if proxy_ssl else None,  # `request.is_secure()` behind a proxy
    )


def _eligible(environ: dict) -> bool:
    """An anonymous, cookie-less GET of the delivery API with no body and no `Content-Type` (its charset would
    change how Django decodes the query string), while nothing counts or refuses requests one by one."""
    path = environ.get("PATH_INFO", "")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and path.startswith(PATH_PREFIX)
        and path.isascii()
        and "HTTP_AUTHORIZATION" not in environ
        and "HTTP_COOKIE" not in environ
        and not environ.get("CONTENT_TYPE")
        and environ.get("CONTENT_LENGTH") in (None, "", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
        and cms_setting("DELIVERY_RATE_LIMIT") is None
        and not settings.DISALLOWED_USER_AGENTS
    )


def _kept(key: tuple[str, str]) -> hot.Kept | None:
    try:
        return hot.current(key)
    except Exception:  # Django's handler below answers (the envelope, as for any error)
        logger.exception("The front door could not read the kept answers; Django's handler answers instead")
        return None


class FrontDoor:
    """WSGI middleware around Django's handler (`wiring.wsgi`); see the module docstring."""

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not _eligible(environ):
            return self.application(environ, start_response)
        key = (environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        kept = _kept(key)
        if kept is not None:
            whole = kept.front.get(_variant(environ, kept.entry))
            if whole is not None:
                status, headers, body = whole
                start_response(status, list(headers))
                return [body]
        sent: list = []

        def capture(status: str, headers: list, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        result = self.application(environ, capture)
        kept = getattr(result, "kept", None)  # set by `hot.response`: this answer is a kept one
        if (
            kept is not None
            and sent
            and sent[0].startswith(_ANSWERED)
            and not any(name.lower() == "set-cookie" for name, _ in sent[1])
        ):
            variant = _variant(environ, kept.entry)
            if variant not in kept.front and len(kept.front) >= VARIANTS:
                kept.front.pop(next(iter(kept.front)))  # the oldest: odd variants cannot lock the usual ones out
            kept.front[variant] = (sent[0], tuple(sent[1]), result.content)  # type: ignore[attr-defined]
        return result
