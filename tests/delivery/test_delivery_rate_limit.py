"""The opt-in delivery rate limit per client address (delivery/ratelimit.py), through HTTP: the 429 envelope, what
is counted, and whose address counts behind trusted proxies (cms/clientaddr.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cms.clientaddr import client_address
from delivery import ratelimit
from tests.conftest import issue_token

pytestmark = pytest.mark.django_db

BLOCK = "/api/v1/delivery/acme/blocks/hero"


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


@pytest.fixture
def limit(settings):
    def set_limit(count: int, window: int = 60, proxies: tuple[str, ...] = ()) -> None:
        settings.CMS = {**settings.CMS, "DELIVERY_RATE_LIMIT": (count, window), "TRUSTED_PROXIES": list(proxies)}

    return set_limit


@pytest.fixture
def hero(site, publish):
    publish("Hero", {"title": "Hi"})


def refused(response, limit: int = 3, window: int = 60) -> None:
    assert response.status_code == 429
    assert json.loads(response.content) == {
        "error": {"code": "rate_limited", "message": f"Over {limit} delivery requests in {window} s from this address."}
    }
    assert 1 <= int(response["Retry-After"]) <= window
    assert response["RateLimit-Reset"] == response["Retry-After"]
    assert (response["RateLimit-Limit"], response["RateLimit-Remaining"]) == (str(limit), "0")
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == "*"  # a browser frontend can read why


def test_over_the_limit_an_address_gets_the_429_envelope_and_others_do_not(hero, limit, shared_cache):
    limit(3)
    client = Client()
    for _ in range(3):
        response = client.get(BLOCK)
        assert response.status_code == 200
        assert "RateLimit-Limit" not in response  # a CDN stores this answer for everyone: no per-client numbers
    refused(client.get(BLOCK))
    refused(client.get("/api/v1/delivery/acme/sync"))  # every delivery path counts against one allowance
    refused(client.get("/api/v1/delivery/acme/blocks?type=global"))
    assert client.options(BLOCK).status_code == 204  # preflights are not counted, nor refused
    assert client.get(BLOCK, REMOTE_ADDR="198.51.100.9").status_code == 200  # another address, its own count


def test_the_window_ends_and_the_address_is_served_again(hero, limit, monkeypatch):
    limit(2, window=10)
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    client = Client()
    assert [client.get(BLOCK).status_code for _ in range(2)] == [200, 200]
    response = client.get(BLOCK)
    refused(response, limit=2, window=10)
    assert response["Retry-After"] == "10"
    now[0] += 10
    assert client.get(BLOCK).status_code == 200


def test_off_by_default_and_the_management_api_keeps_its_own_limits(hero, site):
    client = Client()
    assert all(client.get(BLOCK).status_code == 200 for _ in range(30))
    _, secret = issue_token(site, username="ed")
    assert Client().get("/api/v1/site-blocks", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(hero, limit):
    limit(1)
    client = Client()
    # Not behind a trusted proxy: the header is the client's own word, and ignored.
    assert client.get(BLOCK, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200
    refused(client.get(BLOCK, HTTP_X_FORWARDED_FOR="203.0.113.2"), limit=1)

    limit(1, proxies=("127.0.0.1",))  # the test client's peer is 127.0.0.1: now a trusted proxy
    assert client.get(BLOCK, HTTP_X_FORWARDED_FOR="203.0.113.3").status_code == 200
    assert client.get(BLOCK, HTTP_X_FORWARDED_FOR="203.0.113.4").status_code == 200
    refused(client.get(BLOCK, HTTP_X_FORWARDED_FOR="203.0.113.3"), limit=1)
    # A client prepending an address of its choosing is still counted as the address the proxy saw.
    refused(client.get(BLOCK, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.4"), limit=1)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # the peer is no proxy of ours
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.1", "198.51.100.1"),  # two proxies; the left was the client's
        ("10.0.0.2", "10.0.0.3, 10.0.0.1", "10.0.0.3"),  # every hop ours: as far as can be seen
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address_walks_x_forwarded_for_from_the_right(settings, remote, forwarded, expected):
    settings.CMS = {**settings.CMS, "TRUSTED_PROXIES": ["10.0.0.0/8", "::1"]}
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(meta) == expected
