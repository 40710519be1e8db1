"""Issue 14, item 11: webhook targets that are IPv6 spellings of a private IPv4 address are refused.

On NAT64 or 6to4 networks (or stacks that take IPv4-mapped forms literally) `[64:ff9b::7f00:1]` reaches
127.0.0.1 and `[2002:a9fe:a9fe::1]` the cloud metadata address 169.254.169.254. Every IPv6 form that embeds
an IPv4 address (IPv4-mapped `::ffff:`, IPv4-translated `::ffff:0:`, IPv4-compatible `::a.b.c.d`, NAT64
`64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32` with its inverted client address, ISATAP `…:5efe:a.b.c.d`),
in hex and dotted spellings, is generated here around loopback, the metadata address and a private range:
each is refused when a webhook is created, when it is changed, and again when a delivery is sent (for a row
stored before this check). The same forms around a public address are accepted; the local-use NAT64 prefix
`64:ff9b:1::/48` is refused whatever it embeds (where the IPv4 address sits in it is the network's choice).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from webhooks.models import Webhook, WebhookDelivery
from webhooks.tasks import attempt_delivery

pytestmark = pytest.mark.django_db

PRIVATE_V4 = ["127.0.0.1", "169.254.169.254", "10.1.2.3", "0.0.0.0", "100.64.0.1"]
PUBLIC_V4 = ["8.8.8.8", "93.184.216.34"]
TEREDO_SERVER = "65.54.227.120"  # a public Teredo server


def hex32(v4: str) -> str:
    value = int(ipaddress.IPv4Address(v4))
    return f"{value >> 16:x}:{value & 0xFFFF:x}"


def teredo(server: str, client: str) -> str:
    inverted = ~int(ipaddress.IPv4Address(client)) & 0xFFFFFFFF
    return f"2001:0:{hex32(server)}:8000:63bf:{inverted >> 16:x}:{inverted & 0xFFFF:x}"


def forms(v4: str) -> dict[str, tuple[str, list[str] | None]]:
    """Every IPv6 spelling that leads to `v4`: name -> (host, the IPv4 addresses it embeds)."""
    h = hex32(v4)
    high, low = h.split(":")
    compatible = [v4] if int(ipaddress.IPv4Address(v4)) > 1 else None  # `::0.0.0.0` is `::`, not an embedding
    return {
        "mapped dotted": (f"::ffff:{v4}", [v4]),
        "mapped hex": (f"::ffff:{h}", [v4]),
        "mapped long": (f"0:0:0:0:0:ffff:{high.zfill(4)}:{low.zfill(4)}", [v4]),
        "mapped upper": (f"::FFFF:{h.upper()}", [v4]),
        "translated hex": (f"::ffff:0:{h}", [v4]),
        "translated dotted": (f"::ffff:0:{v4}", [v4]),
        "compatible dotted": (f"::{v4}", compatible),
        "compatible hex": (f"::{h}", compatible),
        "nat64 hex": (f"64:ff9b::{h}", [v4]),
        "nat64 dotted": (f"64:ff9b::{v4}", [v4]),
        "nat64 long": (f"0064:ff9b:0000:0000:0000:0000:{high.zfill(4)}:{low.zfill(4)}", [v4]),
        "6to4": (f"2002:{h}::1", [v4]),
        "6to4 subnet": (f"2002:{h}:abcd:1:2:3:4", [v4]),
        "teredo client": (teredo(TEREDO_SERVER, v4), [TEREDO_SERVER, v4]),
        "teredo server": (teredo(v4, "8.8.4.4"), [v4, "8.8.4.4"]),
        "isatap": (f"2606:4700::5efe:{h}", [v4]),
        "isatap global": (f"2606:4700::200:5efe:{v4}", [v4]),
    }


def cases(v4s: list[str]) -> list:
    return [pytest.param(host, inner, id=f"{v4}-{name}") for v4 in v4s for name, (host, inner) in forms(v4).items()]


PLAIN_LOOPBACK_AND_LOCAL = ["::1", "0:0:0:0:0:0:0:1", "0000::0001", "::", "fe80::1", "fc00::1", "ff02::1"]
LOCAL_NAT64 = [f"64:ff9b:1::{hex32(v4)}" for v4 in (*PRIVATE_V4[:2], *PUBLIC_V4)] + [
    f"64:ff9b:1:{hex32('8.8.8.8').replace(':', '')[:4]}:{hex32('8.8.8.8').replace(':', '')[4:]}::"
]


@pytest.fixture
def owner(site, make_client, settings):
    settings.CMS = {**settings.CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False}
    return make_client(role="owner")


def resolved(host: str) -> str:
    """What the system resolver makes of the literal (its canonical spelling), as the guard sees it."""
    return str(socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)[0][4][0])


def refusal(host: str, inner: list[str] | None) -> dict:
    shown = resolved(host) + (f", i.e. {' and '.join(inner)}" if inner else "")
    message = (
        f"`{host.lower()}` resolves to a private, loopback or link-local address ({shown}); refused."
        " To try webhooks on your own machine, set CMS_WEBHOOKS_ALLOW_PRIVATE=true (for local testing only)."
    )
    return {
        "error": {"code": "validation_failed", "message": "The request did not validate.", "fields": {"url": message}}
    }


def assert_refused_everywhere(owner, site, host: str, inner: list[str] | None) -> None:
    url = f"http://[{host}]:8080/hook"
    created = owner.post("/api/v1/webhooks", {"url": url}, format="json")
    assert created.status_code == 422, (host, created.content[:300])
    assert created.json() == refusal(host, inner)
    assert not Webhook.objects.filter(url=url).exists()

    kept = Webhook.objects.create(site=site, url="https://example.com/hook", secret="s" * 20)
    changed = owner.patch(f"/api/v1/webhooks/{kept.pk}", {"url": url}, format="json")
    assert changed.status_code == 422 and changed.json() == refusal(host, inner)
    kept.refresh_from_db()
    assert kept.url == "https://example.com/hook"

    # A row stored before this check (or while private targets were allowed) is refused when sent.
    stored = Webhook.objects.create(site=site, url=url, secret="s" * 20)
    delivery = WebhookDelivery.objects.create(webhook=stored, event="block.published", body="{}", attempt_limit=5)
    assert attempt_delivery(str(delivery.pk)) == "failed"  # refused for good: not retried
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == "failed"
    assert delivery.last_error == refusal(host, inner)["error"]["fields"]["url"]


@pytest.mark.parametrize(("host", "inner"), cases(PRIVATE_V4))
def test_ipv6_forms_of_private_ipv4_addresses_are_refused_at_create_update_and_send(owner, site, host, inner):
    assert_refused_everywhere(owner, site, host, inner)


@pytest.mark.parametrize("host", [*PLAIN_LOOPBACK_AND_LOCAL, *LOCAL_NAT64])
def test_plain_loopback_and_local_use_nat64_are_refused(owner, site, host):
    assert_refused_everywhere(owner, site, host, None)


@pytest.mark.parametrize(
    "host",
    [
        teredo("127.0.0.1", "8.8.8.8"),  # a private Teredo server with a public client
        teredo("8.8.8.8", "169.254.169.254"),
        "fe80::5efe:8.8.8.8",  # ISATAP of a public address under a link-local prefix
    ],
)
def test_a_form_is_refused_when_any_part_is_private(owner, host):
    response = owner.post("/api/v1/webhooks", {"url": f"http://[{host}]/"}, format="json")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"url"}
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(("host", "inner"), cases(PUBLIC_V4))
def test_the_same_forms_of_public_addresses_are_accepted(owner, host, inner):
    url = f"https://[{host}]/hook"
    response = owner.post("/api/v1/webhooks", {"url": url}, format="json")
    assert response.status_code == 201, (host, response.content[:300])
    assert Webhook.objects.get().url == url


@pytest.mark.parametrize("host", ["0x7f.1", "2130706433", "0177.0.0.1", "127.1", "localhost", "LOCALHOST"])
def test_ipv4_spellings_and_names_of_loopback_are_refused(owner, host):
    response = owner.post("/api/v1/webhooks", {"url": f"http://{host}/"}, format="json")
    assert response.status_code == 422, host
    assert set(response.json()["error"]["fields"]) == {"url"}
    assert "127.0.0.1" in response.json()["error"]["fields"]["url"]
    assert Webhook.objects.count() == 0
