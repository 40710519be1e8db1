"""A real Varnish in front of the live test server, with the VCL shipped in deploy/varnish/cms.vcl.

Varnish and its xkey module come from Debian (`apt-get install -y varnish varnish-modules`, done here when
missing, as the browser tests install Chromium); the test is skipped only when apt-get is not there. Origin
requests are counted where Django starts each request (`request_started`), so a hit is proven to be served by
Varnish alone. Shown: a hit never reaches the origin; a publish is visible through Varnish within a second
(the CMS purges the block's keys with `CMS_CDN_PURGER=varnish`); purging one block leaves the others cached;
what Cache-Control keeps private (a token's request) is never cached; only loopback may purge.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.signals import request_started

from accounts.permissions import Actor
from blocks import services
from blocks.models import SiteBlock
from tests.conftest import build_site, issue_token
from tests.delivery.conftest import HERO_SCHEMA
from tests.delivery.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "cms.vcl"

pytestmark = pytest.mark.django_db(transaction=True)


def ensure_varnish() -> str:
    found = shutil.which("varnishd") or (Path("/usr/sbin/varnishd").exists() and "/usr/sbin/varnishd")
    xkey = list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")) + list(
        Path("/usr/lib").glob("varnish/vmods/libvmod_xkey.so")
    )
    if not found or not xkey:
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.skip("Varnish is missing and apt-get is not available to install it")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        packages = ["varnish", "varnish-modules"]
        result = subprocess.run([apt, "install", "-y", "-q", *packages], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            subprocess.run([apt, "update", "-q"], env=env, capture_output=True, check=False)
            subprocess.run([apt, "install", "-y", "-q", *packages], env=env, capture_output=True, check=True)
        found = shutil.which("varnishd") or "/usr/sbin/varnishd"
    assert Path(found).exists(), "apt-get install varnish did not provide varnishd"
    return str(found)


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def outside_address() -> str | None:
    """This host's own non-loopback IPv4 address, if it has one (a purge from there must be refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture
def varnish(live_server):
    """Varnish on a free loopback port (and on this host's own address, if any), its backend the live server;
    yields `(loopback base URL, other base URL or None)`."""
    varnishd = ensure_varnish()
    backend_port = live_server.url.rsplit(":", 1)[1]
    workdir = Path(tempfile.mkdtemp(prefix="cms-varnish-"))
    vcl = VCL.read_text()
    assert '.port = "8000";' in vcl, "the shipped VCL names its backend port as 8000"
    (workdir / "cms.vcl").write_text(vcl.replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = free_port()
    outside = outside_address()
    listen = ["-a", f"127.0.0.1:{port}"]
    if outside is not None:
        listen += ["-a", f"{outside}:{port}"]
    process = subprocess.Popen(
        [
            varnishd,
            "-F",
            "-j",
            "none",
            "-n",
            str(workdir / "instance"),
            *listen,
            "-f",
            str(workdir / "cms.vcl"),
            "-s",
            "malloc,32m",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"varnishd exited: {process.stderr.read().decode()[-2000:]}"
        try:
            get(base + "/api/v1/delivery/-/blocks/-")
            break
        except OSError:
            assert time.monotonic() < deadline, "varnishd did not answer within 30 s"
            time.sleep(0.1)
    try:
        yield base, f"http://{outside}:{port}" if outside is not None else None
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def origin_requests():
    """Paths of the requests that reached Django (the origin), in order."""
    seen: list[str] = []

    def count(sender, environ, **kwargs):
        seen.append(environ.get("PATH_INFO", ""))

    request_started.connect(count, weak=False)
    yield seen
    request_started.disconnect(count)


def test_varnish_serves_hits_purges_exactly_the_published_block_and_respects_cache_control(
    varnish, origin_requests, settings
):
    varnish, _ = varnish
    settings.CMS = {**settings.CMS, "CDN_PURGER": "varnish", "CDN_PURGE_URLS": varnish + "/"}
    site = build_site()
    user, secret = issue_token(site, username="jane", role="editor", scopes=("read", "write", "publish", "preview"))
    actor = Actor(user=user, site=site, role="editor")

    def publish(name: str, title: str) -> SiteBlock:
        block = services.block_create(
            actor=actor, name=name, type="global", schema=HERO_SCHEMA, data={"title": title}, locale="en"
        )
        return services.block_publish(actor=actor, block=block, expected_version=None)

    hero = publish("Hero", "Hello")
    publish("Footer", "Bye")
    hero_url = varnish + "/api/v1/delivery/acme/blocks/hero"
    footer_url = varnish + "/api/v1/delivery/acme/blocks/footer"

    # a miss, then a hit that never reaches the origin
    first = get(hero_url)
    assert first[0] == 200 and first[1]["X-Cache"] == "MISS"
    keys = [f"cms.s{site.pk}", f"cms.s{site.pk}.b.hero", f"cms.s{site.pk}.b.hero.en"]
    assert first[1]["Surrogate-Key"].split() == keys and first[1]["Cache-Tag"] == ",".join(keys)
    assert get(footer_url)[1]["X-Cache"] == "MISS"
    reached = len(origin_requests)
    for _ in range(5):
        status, headers, body = get(hero_url)
        assert status == 200 and headers["X-Cache"] == "HIT" and b"Hello" in body
        assert get(footer_url)[1]["X-Cache"] == "HIT"
    assert len(origin_requests) == reached, origin_requests[reached:]

    # a publish is visible through Varnish within a second: the CMS purged the block's keys after the commit
    started = time.monotonic()
    hero = services.block_update_data(actor=actor, block=hero, data={"title": "Hello again"}, expected_version=None)
    services.block_publish(actor=actor, block=hero, expected_version=None)
    while b"Hello again" not in get(hero_url)[2]:
        assert time.monotonic() - started < 1.0, "the publish was not visible through Varnish within 1 s"
        time.sleep(0.02)
    assert time.monotonic() - started < 1.0
    assert origin_requests[reached:] == ["/api/v1/delivery/acme/blocks/hero"]  # fetched once, again

    # the other block was not purged: still a hit, the origin not asked
    reached = len(origin_requests)
    status, headers, body = get(footer_url)
    assert status == 200 and headers["X-Cache"] == "HIT" and b"Bye" in body
    assert get(hero_url)[1]["X-Cache"] == "HIT"
    assert len(origin_requests) == reached

    # Cache-Control respected: a request with a token (private content, previews) goes to the origin each time
    for _ in range(2):
        assert get(hero_url + "?preview=true", {"Authorization": f"Bearer {secret}"})[0] == 200
    assert origin_requests[reached:] == ["/api/v1/delivery/acme/blocks/hero"] * 2


def purge_status(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="PURGE", headers=headers), timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_only_loopback_may_purge_and_a_purge_names_its_keys(varnish):
    loopback, outside = varnish
    assert purge_status(loopback + "/", {"xkey": "cms.s1"}) == 200
    assert purge_status(loopback + "/", {}) == 400
    if outside is None:
        pytest.skip("this host has no address but loopback to purge from")
    assert purge_status(outside + "/", {"xkey": "cms.s1"}) == 403
