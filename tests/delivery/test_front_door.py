"""`delivery.front`: the WSGI application the server runs (`wiring.wsgi.application`) answers a repeat of a kept
delivery answer before Django's handler runs, with exactly the status, headers and body the handler gives
(the middleware's headers included), per variant of the request; never once the answer changed, and never
for a request the middleware or the view would answer differently (cookies, Authorization, the rate limit,
another host). Called as the server calls it: a WSGI environ, no test client."""

from __future__ import annotations

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started

from blocks import services
from delivery import front, hot
from delivery.front import FrontDoor
from tests.conftest import issue_token
from wiring.wsgi import application, django_application

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE = "/api/v1/delivery/acme"
LONG = "A paragraph long enough to be gzipped. " * 40  # > DELIVERY_GZIP_MIN_BYTES: the answer has a gzip


@pytest.fixture(autouse=True)
def copies_trusted_for_the_whole_test(settings):
    """As in test_hot_answers: a slow machine must not end the near cache's copies in the middle of a test."""
    settings.CMS = {**settings.CMS, "CACHE_TIMEOUT_SECONDS": 60}


@pytest.fixture
def handled() -> list[str]:
    """The paths Django's handler was asked for (its `request_started` signal): none for a front answer."""
    paths: list[str] = []

    def note(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(note)
    yield paths
    request_started.disconnect(note)


def call(app, url: str, method: str = "GET", **headers) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request as the server makes it: `(status line, headers in order, body)`."""
    path, _, query = url.partition("?")
    environ: dict = {}
    setup_testing_defaults(environ)  # Host 127.0.0.1, http, an empty body
    environ.update(REQUEST_METHOD=method, PATH_INFO=path, QUERY_STRING=query, **headers)
    sent: list = []
    result = app(environ, lambda status, header_list, exc_info=None: sent.extend([status, header_list]))
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return sent[0], list(sent[1]), body


def whole_path(url: str, **headers):
    """The answer as Django's handler gives it with nothing kept (this thread's kept answers dropped first)."""
    getattr(hot._kept, "memo", {}).clear()
    return call(django_application, url, **headers)


def until_front(url: str, handled: list[str], app=application, **headers):
    """Ask through the front door until it answers without Django's handler; that answer. Five asks when
    nothing else happens (site facts, stamp, kept, recorded at the door, answered there); more when the
    invalidations of the test's own publish arrive late on a loaded machine and end a kept answer."""
    for _ in range(12):
        del handled[:]
        answer = call(app, url, **headers)
        if not handled:
            return answer
    raise AssertionError(f"{url} {headers} was not answered at the front door after 12 asks")


def test_a_repeat_is_answered_before_django_exactly_as_django_answers_it(site, publish, redis_cache, handled):
    publish("Hero", {"title": "Welcome", "body": LONG})
    publish("Home", {"title": "Home", "body": LONG}, type="page", path="/home")
    etag = dict(whole_path(f"{BASE}/blocks/hero")[1])["ETag"]
    cases = [
        (f"{BASE}/blocks/hero", {}),
        (f"{BASE}/blocks/hero", {"HTTP_ACCEPT_ENCODING": "gzip, br"}),
        (f"{BASE}/blocks/hero", {"HTTP_IF_NONE_MATCH": etag}),
        (f"{BASE}/blocks/hero?locale=en", {}),
        (f"{BASE}/pages?path=/home", {}),
        (f"{BASE}/blocks/missing", {}),  # a 404 is kept like any answer, and so answered here
    ]
    for url, headers in cases:
        fronted = until_front(url, handled, **headers)
        assert fronted == whole_path(url, **headers), (url, headers)
    status, headers, body = until_front(f"{BASE}/blocks/hero", handled, HTTP_IF_NONE_MATCH=etag)
    assert status == "304 Not Modified" and body == b""
    assert ("X-Frame-Options", "DENY") in headers and ("ETag", etag) in headers  # the middleware's and the view's
    status, headers, body = until_front(f"{BASE}/blocks/hero", handled, HTTP_ACCEPT_ENCODING="gzip")
    assert status == "200 OK" and ("Content-Encoding", "gzip") in headers and body[:2] == b"\x1f\x8b"
    status, headers, body = until_front(f"{BASE}/blocks/missing", handled)
    assert status == "404 Not Found" and b'"code":"not_found"' in body.replace(b" ", b"")


def test_a_publish_ends_the_front_answer_at_once(site, publish, write, redis_cache, handled):
    hero = publish("Hero", {"title": "v1"})
    url = f"{BASE}/blocks/hero"
    assert b'"v1"' in until_front(url, handled)[2]

    write(services.block_update_data, block=hero, data={"title": "v2"}, expected_version=None, publish=True)
    del handled[:]
    status, _, body = call(application, url)  # the very next read
    assert status == "200 OK" and b'"v2"' in body and b'"v1"' not in body
    assert handled == [url.partition("?")[0]], "answered by Django's handler, not the front door"
    assert b'"v2"' in until_front(url, handled)[2]


def test_requests_the_middleware_or_the_view_answer_differently_go_to_django(
    site, publish, redis_cache, handled, settings
):
    publish("Hero", {"title": "Welcome"})
    url = f"{BASE}/blocks/hero"
    fronted = until_front(url, handled)
    _, token = issue_token(site, username="reader", role="viewer", scopes=("read",))
    for headers in (
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        {"CONTENT_LENGTH": "3"},
    ):
        del handled[:]
        status, _, body = call(application, url, **headers)
        assert handled == ["/api/v1/delivery/acme/blocks/hero"], headers
        assert status == "200 OK" and body == fronted[2], headers

    del handled[:]
    status, _, _ = call(application, url, method="HEAD")
    assert handled and status == "200 OK"

    # Another host: Django refuses it (400), though the same URL is kept for 127.0.0.1.
    del handled[:]
    status, _, body = call(application, url, HTTP_HOST="evil.example")
    assert handled and status == "400 Bad Request"

    # With the delivery rate limit on, every request is counted, repeats included: the third is refused.
    settings.CMS = {**settings.CMS, "DELIVERY_RATE_LIMIT": (2, 60)}
    statuses = [call(application, url)[0] for _ in range(3)]
    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests"]


def test_variants_make_room_for_each_other_and_odd_etags_make_none(site, publish, redis_cache, handled):
    publish("Hero", {"title": "Welcome"})
    url = f"{BASE}/blocks/hero"
    until_front(url, handled)
    # An If-None-Match that does not match changes nothing in the answer: the plain variant answers it.
    for sent in [f'"not-{index}"' for index in range(front.VARIANTS + 2)]:
        del handled[:]
        status, _, body = call(application, url, HTTP_IF_NONE_MATCH=sent)
        assert (status, handled) == ("200 OK", []) and b"Welcome" in body
    kept = hot.current((url, ""))
    assert kept is not None and len(kept.front) == 1
    # More real variants than there is room for (every allowed host, with and without gzip): each answered
    # right, at most VARIANTS kept, the newest at the front door.
    hosts = ["127.0.0.1", "localhost", "testserver", "[::1]"]
    for host in hosts:
        for encoding in ("", "gzip"):
            status, headers, body = until_front(url, handled, HTTP_HOST=host, HTTP_ACCEPT_ENCODING=encoding)
            assert status == "200 OK" and (("Content-Encoding", "gzip") in headers) == (body[:2] == b"\x1f\x8b")
            assert len(kept.front) <= front.VARIANTS
    del handled[:]
    call(application, url, HTTP_HOST=hosts[-1], HTTP_ACCEPT_ENCODING="gzip")
    assert handled == []


def test_a_charset_of_the_readers_own_is_never_kept_for_others(site, publish, redis_cache, handled):
    """A Content-Type charset changes how Django decodes the query string: the bytes of `locale=en` in EBCDIC
    (cp500) read as `locale=en` to a reader who names that charset, and as nothing valid to everyone else.
    Such a reader's answer must not become everyone's."""
    publish("Hero", {"title": "Welcome"})
    url = f"{BASE}/blocks/hero?" + "locale=en".encode("cp500").decode("latin-1")  # WSGI: bytes as latin-1
    for _ in range(4):
        del handled[:]
        status, _, body = call(application, url, CONTENT_TYPE="text/plain; charset=cp500")
        assert status == "200 OK" and b"Welcome" in body and handled, body
    status, _, body = call(application, url)
    assert status == "400 Bad Request" and b"bad_request" in body, body


def test_the_scheme_a_proxy_reports_is_part_of_the_variant(site, publish, redis_cache, handled, settings):
    """With `SECURE_PROXY_SSL_HEADER` on a header of the deployment's own, an HTTPS request through the proxy is
    answered with HSTS and a plain one without: each its own variant, never the other's answer."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_SCHEME", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    app = FrontDoor(WSGIHandler())  # built after the change: the security middleware reads them when built
    publish("Hero", {"title": "Welcome"})
    url = f"{BASE}/blocks/hero"
    plain = until_front(url, handled, app=app)
    secure = until_front(url, handled, app=app, HTTP_X_SCHEME="https")
    assert not any(name == "Strict-Transport-Security" for name, _ in plain[1])
    assert ("Strict-Transport-Security", "max-age=3600") in secure[1]
    assert until_front(url, handled, app=app)[1] == plain[1]
