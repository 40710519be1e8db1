"""Issue 16 item 6: machine pre-translation through a site's provider, against local servers that speak the
DeepL API (`POST /v2/translate`) and the LibreTranslate API (`POST /translate`) as their documentation says."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from blocks.models import MachineTranslationConfig, SiteBlock
from tests.api.test_translation_exchange import BODY, key, make_story
from tests.api.test_translations import revisions_of
from tests.api.test_translators import PRICING_DATA, UNITS, make_pricing, translations

pytestmark = pytest.mark.django_db

KEY = "secret-key-0123456789abcd"
FRENCH = {"Pricing": "Tarifs", "Basic": "Essentiel", "Pro": "Pro", "Start": "Commencer", "Upgrade": "Passer à Pro"}


def french(text: str) -> str:
    return FRENCH.get(text, text.replace("See", "Voir").replace("our plans", "nos offres"))


class FakeProvider:
    """A loopback HTTP server recording each request; `answer(path, headers, body)` → `(status, json)`."""

    def __init__(self, answer) -> None:
        self.requests: list[dict] = []
        self.answer = answer
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer = fake.answer(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def deepl_answer(path, headers, body):
    if path != "/v2/translate" or headers.get("Authorization") != f"DeepL-Auth-Key {KEY}":
        return 403, {"message": "Wrong endpoint or key"}
    return 200, {"translations": [{"detected_source_language": "EN", "text": french(text)} for text in body["text"]]}


def libre_answer(path, headers, body):
    if path != "/translate" or body.get("api_key") != KEY:
        return 403, {"error": "Invalid API key"}
    return 200, {"translatedText": [french(text) for text in body["q"]]}


@pytest.fixture
def provider():
    servers = []

    def start(answer=deepl_answer):
        server = FakeProvider(answer)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def owner(make_client):
    return make_client(role="owner")


def set_up(client, name, url, api_key=KEY):
    response = client.put(
        "/api/v1/translations/machine-provider", {"provider": name, "baseUrl": url, "apiKey": api_key}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response


def test_without_a_provider_the_feature_is_absent(api, make_client):
    make_pricing(api)
    expected = {
        "error": {
            "code": "not_found",
            "message": "Machine translation is not set up for this site: an owner chooses a provider first.",
        }
    }
    for response in (
        api.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json"),
        api.post("/api/v1/site-blocks/pricing/translations/pretranslate?locale=fr"),
        api.get("/api/v1/translations/machine-provider"),
        owner(make_client).delete("/api/v1/translations/machine-provider"),
    ):
        assert response.status_code == 404
        assert response.json() == expected


def test_an_owner_sets_up_a_provider_and_the_key_is_never_shown_back(api, make_client):
    boss = owner(make_client)
    response = set_up(boss, "deepl", "https://api-free.deepl.com/")
    assert response.json() == {
        "data": {"provider": "deepl", "baseUrl": "https://api-free.deepl.com/", "apiKeySet": True}
    }
    assert KEY not in api.get("/api/v1/translations/machine-provider").content.decode()
    assert MachineTranslationConfig.objects.get().api_key == KEY
    # Sent again without the key: the key is kept; an empty one removes it.
    body = {"provider": "libretranslate", "baseUrl": "http://127.0.0.1:5000"}
    assert boss.put("/api/v1/translations/machine-provider", body, format="json").json()["data"]["apiKeySet"] is True
    assert MachineTranslationConfig.objects.get().api_key == KEY
    body["apiKey"] = ""
    assert boss.put("/api/v1/translations/machine-provider", body, format="json").json()["data"]["apiKeySet"] is False
    refused = api.put("/api/v1/translations/machine-provider", body, format="json")  # an editor
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = boss.put("/api/v1/translations/machine-provider", {"provider": "babel", "baseUrl": "ftp://x"}, format="json")
    assert bad.status_code == 422
    assert bad.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The request did not validate.",
            "fields": {
                "provider": "One of: `deepl`, `libretranslate`.",
                "baseUrl": "Must be the provider API's http(s) URL, such as `https://api-free.deepl.com`.",
            },
        }
    }
    removed = boss.delete("/api/v1/translations/machine-provider")
    assert removed.json() == {"message": "Machine translation provider removed"}
    assert api.get("/api/v1/translations/machine-provider").status_code == 404


def test_deepl_pre_translates_the_untranslated_fields_marked_machine_until_a_person_keeps_or_edits(
    api, make_client, provider
):
    make_pricing(api)
    server = provider(deepl_answer)
    set_up(owner(make_client), "deepl", server.url)
    translator = make_client(role="translator")
    revisions = revisions_of("pricing", "fr")

    response = translator.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert response.status_code == 200, response.json()
    ids = [f"{key()}/{path}" for path in UNITS]
    assert response.json()["data"] == {
        "locale": "fr",
        "provider": "deepl",
        "machine": ids,
        "invalid": [],
        "skipped": [],
        "counts": {"machine": 5, "invalid": 0, "skipped": 0},
    }
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["path"] == "/v2/translate"
    assert request["headers"]["Authorization"] == f"DeepL-Auth-Key {KEY}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] == {
        "text": ["Pricing", "Basic", "Pro", "Start", "Upgrade"],
        "source_lang": "EN",
        "target_lang": "FR",
    }
    fr = SiteBlock.objects.get(slug="pricing", locale="fr")
    assert fr.data["title"] == "Tarifs" and fr.data["plans"][1]["callToAction"]["label"] == "Passer à Pro"
    assert fr.data["discount"] == PRICING_DATA["discount"]  # shared values are not touched
    assert revisions_of("pricing", "fr") == revisions + 1  # one revision for the block
    state = translations(translator)
    assert state["status"] == "partial"  # machine output is not a translation yet
    assert state["fields"]["machine"] == UNITS and state["counts"]["machine"] == 5
    assert state["counts"]["translated"] == 0

    keep = translator.post(
        "/api/v1/site-blocks/pricing/translations/keep?locale=fr", {"fields": ["title"]}, format="json"
    )
    assert keep.status_code == 200, keep.json()
    plans = [dict(plan) for plan in fr.data["plans"]]
    plans[0]["name"] = "Basique"
    put = translator.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"plans": plans}}, format="json")
    assert put.status_code == 200, put.json()
    state = translations(translator)
    assert state["fields"]["translated"] == ["title", "plans[0].name"]
    assert state["fields"]["machine"] == ["plans[1].name", "plans[0].callToAction.label", "plans[1].callToAction.label"]

    # Nothing untranslated is left: nothing is sent, nothing written.
    again = translator.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert again.json()["data"]["counts"] == {"machine": 0, "invalid": 0, "skipped": 0}
    assert len(server.requests) == 1


def test_outdated_and_translated_fields_are_not_overwritten(api, provider, make_client):
    make_pricing(api)
    server = provider(deepl_answer)
    set_up(owner(make_client), "deepl", server.url)
    assert api.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Nos prix"}}, format="json")
    assert api.put("/api/v1/site-blocks/pricing/data", {"data": {"title": "Prices"}}, format="json").status_code == 200
    assert translations(api)["fields"]["outdated"] == ["title"]
    response = api.post("/api/v1/site-blocks/pricing/translations/pretranslate?locale=fr")
    assert response.status_code == 200, response.json()
    assert server.requests[0]["body"]["text"] == ["Basic", "Pro", "Start", "Upgrade"]
    assert SiteBlock.objects.get(slug="pricing", locale="fr").data["title"] == "Nos prix"
    assert translations(api)["fields"]["outdated"] == ["title"]


def test_libretranslate_pre_translates_rich_text_as_html(api, provider, make_client):
    story = make_story(api)
    server = provider(libre_answer)
    set_up(owner(make_client), "libretranslate", server.url + "/")
    response = api.post("/api/v1/site-blocks/story/translations/pretranslate?locale=fr")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["machine"] == [f"{story}/body"]
    assert server.requests == [
        {
            "path": "/translate",
            "headers": server.requests[0]["headers"],
            "body": {"q": [BODY], "source": "en", "target": "fr", "format": "html", "api_key": KEY},
        }
    ]
    assert SiteBlock.objects.get(slug="story", locale="fr").data["body"] == BODY.replace("See", "Voir").replace(
        "our plans", "nos offres"
    )
    text = api.get("/api/v1/site-blocks/story/translations/export?locale=fr&format=xliff2").content.decode()
    assert '<segment state="translated" subState="cms:machine">' in text


@pytest.mark.parametrize(
    ("status", "answer", "code", "message"),
    [
        (
            400,
            {"message": "Value for 'target_lang' not supported."},
            502,
            "DeepL answered HTTP 400: Value for 'target_lang' not supported.; nothing was written.",
        ),
        (403, {"message": "Wrong key"}, 502, "DeepL refused the API key (HTTP 403: Wrong key); check the key."),
        (456, {"message": "Quota exceeded"}, 503, "DeepL answered HTTP 456: Quota exceeded; nothing was written."),
        (200, {"translations": [{"text": "one"}]}, 502, "DeepL answered 1 translations for 5 texts."),
        (200, {"oops": True}, 502, "DeepL answered without `translations`; nothing was written."),
    ],
)
def test_a_provider_failure_is_an_envelope_and_nothing_is_written(
    api, provider, make_client, status, answer, code, message
):
    make_pricing(api)
    server = provider(lambda path, headers, body: (status, answer))
    set_up(owner(make_client), "deepl", server.url)
    version = SiteBlock.objects.get(slug="pricing", locale="fr").version
    response = api.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert response.status_code == code
    error_code = "provider_error" if code == 502 else "provider_unavailable"
    assert response.json() == {"error": {"code": error_code, "message": message}}
    if code == 503:
        assert response["Retry-After"] == "30"
    assert SiteBlock.objects.get(slug="pricing", locale="fr").version == version
    assert translations(api)["counts"]["machine"] == 0


def test_a_provider_that_times_out_or_cannot_be_reached_is_a_503(api, provider, make_client, settings):
    settings.CMS = {**settings.CMS, "MACHINE_TRANSLATION_TIMEOUT_SECONDS": 1}
    make_pricing(api)

    def slow(path, headers, body):
        time.sleep(2)
        return 200, {"translations": []}

    server = provider(slow)
    set_up(owner(make_client), "deepl", server.url)
    response = api.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "provider_unavailable",
            "message": "DeepL did not answer within 1 seconds; nothing was written. Retry later.",
        }
    }
    closed = FakeProvider(deepl_answer)
    closed.close()  # nothing listens there any more
    set_up(owner(make_client), "deepl", closed.url)
    response = api.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("DeepL could not be reached (")
    assert translations(api)["counts"]["machine"] == 0


def test_a_value_the_schema_refuses_writes_nothing_of_its_block(api, provider, make_client):
    schema = [{"name": "heading", "type": "string", "maxLength": 5}]
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": schema, "data": {"heading": "Hi"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert api.post("/api/v1/site-blocks/hero/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    server = provider(lambda path, headers, body: (200, {"translations": [{"text": "Bonjour à tous"}]}))
    set_up(owner(make_client), "deepl", server.url)
    version = SiteBlock.objects.get(slug="hero", locale="fr").version
    report = api.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json").json()["data"]
    hero = str(SiteBlock.objects.get(slug="hero", locale="en").translation_key)
    assert report["invalid"] == [
        {"id": f"{hero}/heading", "path": "heading", "message": "Must be at most 5 characters long."}
    ]
    assert report["machine"] == []
    assert SiteBlock.objects.get(slug="hero", locale="fr").version == version


def test_refusals_name_the_field(api, provider, make_client):
    make_pricing(api)
    server = provider(deepl_answer)
    set_up(owner(make_client), "deepl", server.url)
    response = api.post("/api/v1/translations/pretranslate", {"locale": "en"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"locale": "`en` is the source locale: translations go to another."}
    response = api.post("/api/v1/translations/pretranslate", {}, format="json")
    assert response.json()["error"]["fields"] == {"locale": "Required: the target locale, such as `fr`."}
    viewer = make_client(role="viewer")
    response = viewer.post("/api/v1/translations/pretranslate", {"locale": "fr"}, format="json")
    assert response.status_code == 403
    assert server.requests == []
