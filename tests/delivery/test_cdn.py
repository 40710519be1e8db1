"""CDN keys on delivery answers, and purging exactly those keys through Fastly's and Cloudflare's documented
purge APIs, each played by a local HTTP server that checks the request's shape. (Varnish itself runs in
test_varnish.py.) A CDN that fails never fails the write: the purge is logged and retried by the worker."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from accounts.permissions import Actor
from delivery import cdn
from delivery.purging import purge_keys
from locales.services import site_locale_update
from tests.media.files import png

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"
SCHEMA = [{"name": "title", "type": "string", "required": True}]


class FakeCdn:
    """A local HTTP server standing in for a CDN's API: records each request, answers `status` and `answer`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                fake.requests.append(
                    {"method": "POST", "path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                data = json.dumps(fake.answer).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_cdn():
    server = FakeCdn()
    yield server
    server.close()


@pytest.fixture
def fastly(fake_cdn, settings):
    settings.CMS = {
        **settings.CMS,
        "CDN_PURGER": "fastly",
        "CDN_FASTLY_SERVICE_ID": "SU1Z0isxPaozGVKXdv0eY",
        "CDN_FASTLY_API_KEY": "fastly-token",
        "CDN_FASTLY_API_URL": fake_cdn.url,
    }
    # Fastly answers a bulk purge with each key's purge id
    fake_cdn.answer = {"key": "108-1391560174-974124"}
    return fake_cdn


@pytest.fixture
def cloudflare(fake_cdn, settings):
    settings.CMS = {
        **settings.CMS,
        "CDN_PURGER": "cloudflare",
        "CDN_CLOUDFLARE_ZONE_ID": "023e105f4ecef8ad9ca31a8372d0c353",
        "CDN_CLOUDFLARE_API_TOKEN": "cloudflare-token",
        "CDN_CLOUDFLARE_API_URL": fake_cdn.url + "/client/v4",
    }
    fake_cdn.answer = {"success": True, "errors": [], "messages": [], "result": {"id": "023e105f4ecef8ad9ca31a83"}}
    return fake_cdn


@pytest.fixture
def live(api, django_capture_on_commit_callbacks):
    """`live(method, url, body)`: a management API call whose after-commit work (purges) runs as after a commit."""

    def call(method: str, url: str, body: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(api, method)(url, body, format="json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    return call


def publish(live, name: str, **extra) -> dict:
    block = live("post", "/api/v1/site-blocks", {"name": name, "schema": SCHEMA, "data": {"title": name}, **extra})
    query = f"?locale={extra['locale']}" if "locale" in extra else ""
    return live("post", f"/api/v1/site-blocks/{block['data']['slug']}/publish{query}")["data"]


def digest(path: str) -> str:
    return hashlib.blake2b(path.encode(), digest_size=8).hexdigest()


def keys_of(response) -> list[str]:
    keys = response["Surrogate-Key"].split(" ")
    assert response["Cache-Tag"] == ",".join(keys)
    return keys


def test_every_answer_names_what_it_depends_on(site, live, client, data_source):
    s = f"cms.s{site.pk}"
    publish(live, "Hero", type="global")
    publish(live, "About", type="page", path="/about")
    publish(live, "Hero", type="global", locale="fr", slug="hero")

    assert keys_of(client.get(f"{BASE}/blocks/hero")) == [s, f"{s}.b.hero", f"{s}.b.hero.en"]
    assert keys_of(client.get(f"{BASE}/blocks/hero?locale=fr")) == [s, f"{s}.b.hero", f"{s}.b.hero.fr"]
    # Spanish falls back to English: the answer depends on the English copy (and on `hero` in any locale)
    assert keys_of(client.get(f"{BASE}/blocks/hero?locale=es")) == [s, f"{s}.b.hero", f"{s}.b.hero.en"]
    page = [s, f"{s}.b.about", f"{s}.b.about.en", f"{s}.p.{digest('/about')}"]
    assert keys_of(client.get(f"{BASE}/pages?path=/about")) == page
    # a 404 is cached too: it names what would make it a 200
    assert keys_of(client.get(f"{BASE}/blocks/nope")) == [s, f"{s}.b.nope"]
    assert keys_of(client.get(f"{BASE}/pages?path=/nope")) == [s, f"{s}.p.{digest('/nope')}"]
    assert keys_of(client.get(f"{BASE}/blocks")) == [s, f"{s}.list"]
    assert keys_of(client.get(f"{BASE}/sync")) == [s]


def test_answers_name_their_assets_and_other_blocks_they_show(site, api, live, client):
    s = f"cms.s{site.pk}"
    uploaded = api.post("/api/v1/assets", {"file": SimpleUploadedFile("a.png", png(), "image/png")}, format="multipart")
    asset_id = uploaded.json()["data"]["id"]
    schema = [
        {"name": "title", "type": "string"},
        {"name": "photo", "type": "image"},
        {"name": "others", "type": "dataSource", "source": "blocks", "params": {}},
    ]
    block = live(
        "post",
        "/api/v1/site-blocks",
        {"name": "Gallery", "type": "global", "schema": schema, "data": {"photo": {"asset": asset_id, "alt": "A"}}},
    )
    live("post", f"/api/v1/site-blocks/{block['data']['slug']}/publish")

    keys = keys_of(client.get(f"{BASE}/blocks/gallery"))

    assert keys == [s, f"{s}.b.gallery", f"{s}.b.gallery.en", f"{s}.list", f"cms.a{asset_id}"]
    assert keys_of(client.get(f"{BASE}/blocks")) == [s, f"{s}.list", f"cms.a{asset_id}"]


def test_a_publish_purges_the_blocks_keys_at_fastly(site, fastly, live):
    publish(live, "Hero", type="global")
    publish(live, "About", type="page", path="/about")

    s = f"cms.s{site.pk}"
    assert fastly.requests == [
        {
            "method": "POST",
            "path": "/service/SU1Z0isxPaozGVKXdv0eY/purge",
            "headers": fastly.requests[0]["headers"],
            "json": {"surrogate_keys": [f"{s}.b.hero", f"{s}.list"]},
        },
        {
            "method": "POST",
            "path": "/service/SU1Z0isxPaozGVKXdv0eY/purge",
            "headers": fastly.requests[1]["headers"],
            "json": {"surrogate_keys": [f"{s}.b.about", f"{s}.list", f"{s}.p.{digest('/about')}"]},
        },
    ]
    headers = fastly.requests[0]["headers"]
    assert headers["Fastly-Key"] == "fastly-token"
    assert headers["Content-Type"] == "application/json" and headers["Accept"] == "application/json"
    assert "Fastly-Soft-Purge" not in headers


def test_drafts_purge_nothing_and_a_locale_change_purges_the_site(
    site, fastly, live, editor, django_capture_on_commit_callbacks
):
    live("post", "/api/v1/site-blocks", {"name": "Draft", "type": "global", "schema": SCHEMA, "data": {}})
    assert fastly.requests == []
    owner = Actor(user=editor[0], site=site, role="owner")

    with django_capture_on_commit_callbacks(execute=True):
        site_locale_update(actor=owner, code="fr", fallback="es")

    assert [request["json"] for request in fastly.requests] == [{"surrogate_keys": [f"cms.s{site.pk}"]}]


def test_a_publish_purges_the_blocks_tags_at_cloudflare(site, cloudflare, live):
    publish(live, "Hero", type="global")

    assert cloudflare.requests == [
        {
            "method": "POST",
            "path": "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache",
            "headers": cloudflare.requests[0]["headers"],
            "json": {"tags": [f"cms.s{site.pk}.b.hero", f"cms.s{site.pk}.list"]},
        }
    ]
    headers = cloudflare.requests[0]["headers"]
    assert headers["Authorization"] == "Bearer cloudflare-token"
    assert headers["Content-Type"] == "application/json"


def test_cloudflare_takes_30_tags_a_request(cloudflare):
    keys = [f"cms.k{index}" for index in range(65)]
    cdn.purge_now(keys)
    assert [request["json"]["tags"] for request in cloudflare.requests] == [keys[:30], keys[30:60], keys[60:]]


def test_a_failing_cdn_never_fails_the_write_and_the_worker_retries(site, cloudflare, live, caplog):
    cloudflare.status = 500
    cloudflare.answer = {"success": False, "errors": [{"code": 1000, "message": "down"}]}

    hero = publish(live, "Hero", type="global")  # the write stands

    assert hero["status"] == "published"
    assert "CDN purge of 2 keys failed, retried by the worker" in caplog.text
    task = DBTaskResult.objects.get(task_path="delivery.purging.purge_keys")
    keys = [f"cms.s{site.pk}.b.hero", f"cms.s{site.pk}.list"]
    assert task.args_kwargs == {"args": [keys, 1], "kwargs": {}}
    assert task.run_after is not None

    cloudflare.status = 200
    cloudflare.answer = {"success": True, "errors": [], "messages": [], "result": {"id": "x"}}
    assert purge_keys.call(keys, 1) == "purged"  # what the worker runs
    assert cloudflare.requests[-1]["json"] == {"tags": keys}


def test_a_purge_the_cdn_keeps_refusing_is_given_up_after_the_attempts(site, fastly, settings, caplog):
    settings.CMS = {**settings.CMS, "CDN_PURGE_ATTEMPTS": 3}
    fastly.status = 503
    assert purge_keys.call(["cms.s1"], 1) == "retrying"
    assert purge_keys.call(["cms.s1"], 2) == "failed"
    assert "CDN purge of 1 keys failed 3 times; given up" in caplog.text
    assert DBTaskResult.objects.filter(task_path="delivery.purging.purge_keys").count() == 1


def test_an_unreachable_varnish_is_logged_not_raised(site, settings, live, caplog):
    settings.CMS = {**settings.CMS, "CDN_PURGER": "varnish", "CDN_PURGE_URLS": "http://127.0.0.1:9/"}
    assert publish(live, "Hero", type="global")["status"] == "published"
    assert "CDN purge of 2 keys failed, retried by the worker" in caplog.text
