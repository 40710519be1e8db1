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
request: gzip accepted or not, `If-None-Match` (a 304 or the body), and the host and scheme (the host is
validated, the scheme decides redirects and HSTS when those settings are on; with `SECURE_PROXY_SSL_HEADER`
set, its header is part of the scheme). At most `VARIANTS` per
answer: a client sending its own `If-None-Match` values beyond that takes the whole path, as before.

Never served from here (the whole path runs, as before): any method but GET, a request with Authorization
or Cookie (previews, sessions, CSRF), a body, a path that is not plain ASCII, and every request while the
delivery rate limit is on (it counts each request per client address) or `DISALLOWED_USER_AGENTS` is set.
Django's `request_started`/`request_finished` signals are not sent for an answer served here: they close
and reset database connections, and this answer used none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from cms.conf import cms_setting
from delivery import hot

PATH_PREFIX = "/api/v1/delivery/"
#: whole answers kept per kept answer (plain, gzip, 304 to the current ETag, ...)
VARIANTS = 4
_ANSWERED = ("200 ", "304 ", "404 ")  # what a kept answer is (an unknown slug is kept too)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def _variant(environ: dict) -> tuple:
    return (
        "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""),
        environ.get("HTTP_IF_NONE_MATCH"),
        environ.get("HTTP_HOST"),
        environ.get("HTTP_X_FORWARDED_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_X_FORWARDED_PROTO"),
        # the header a deployment names for `request.is_secure()` (Django's SECURE_PROXY_SSL_HEADER), if any
        environ.get(settings.SECURE_PROXY_SSL_HEADER[0]) if settings.SECURE_PROXY_SSL_HEADER else None,
    )


def _eligible(environ: dict) -> bool:
    """An anonymous, cookie-less GET of the delivery API with no body, while nothing counts or refuses
    requests one by one."""
    path = environ.get("PATH_INFO", "")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and path.startswith(PATH_PREFIX)
        and path.isascii()
        and "HTTP_AUTHORIZATION" not in environ
        and "HTTP_COOKIE" not in environ
        and environ.get("CONTENT_LENGTH") in (None, "", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
        and cms_setting("DELIVERY_RATE_LIMIT") is None
        and not settings.DISALLOWED_USER_AGENTS
    )


class FrontDoor:
    """WSGI middleware around Django's handler (`wiring.wsgi`); see the module docstring."""

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not _eligible(environ):
            return self.application(environ, start_response)
        key = (environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        variant = _variant(environ)
        kept = hot.current(key)
        if kept is not None:
            whole = kept.front.get(variant)
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
            and len(kept.front) < VARIANTS
            and not any(name.lower() == "set-cookie" for name, _ in sent[1])
        ):
            kept.front[variant] = (sent[0], tuple(sent[1]), result.content)  # type: ignore[attr-defined]
        return result
