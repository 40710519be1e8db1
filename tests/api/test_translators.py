"""Issue 16 through HTTP: honest translation status, keep, shared fields kept in step, per-locale paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from blocks import services
from blocks.models import SiteBlock
from blocks.services import writing
from delivery.cache import invalidate_site
from tests.api.test_translations import revisions_of

pytestmark = pytest.mark.django_db

PRICING_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "discount", "type": "number"},
    {
        "name": "plans",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "price", "type": "number"},
                {"name": "callToAction", "type": "object", "fields": [{"name": "label", "type": "string"}]},
            ],
        },
    },
]
PRICING_DATA = {
    "title": "Pricing",
    "discount": 20,
    "plans": [
        {"name": "Basic", "price": 5, "callToAction": {"label": "Start"}},
        {"name": "Pro", "price": 15, "callToAction": {"label": "Upgrade"}},
    ],
}
UNITS = ["title", "plans[0].name", "plans[1].name", "plans[0].callToAction.label", "plans[1].callToAction.label"]


def make_pricing(api) -> dict:
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Pricing", "type": "page", "path": "/pricing", "schema": PRICING_SCHEMA, "data": PRICING_DATA},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api.post("/api/v1/site-blocks/pricing/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    return response.json()["data"]


def translations(client, locale="fr") -> dict:
    response = client.get("/api/v1/site-blocks/pricing/translations")
    assert response.status_code == 200, response.json()
    return response.json()["data"][locale]


def fr_etag() -> str:
    block = SiteBlock.objects.get(slug="pricing", locale="fr")
    return block.etag


def put_fr(client, data: dict):
    return client.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": data}, format="json")


def test_a_fresh_copy_is_partial_with_nothing_translated(api):
    make_pricing(api)
    assert translations(api) == {
        "status": "partial",
        "translatedFields": 0,
        "totalFields": 5,
        "outdated": False,
        "outdatedFields": [],
        "counts": {"translated": 0, "outdated": 0, "untranslated": 5, "machine": 0},
        "fields": {"translated": [], "outdated": [], "untranslated": UNITS, "machine": []},
        "divergedSharedFields": [],
    }
    assert translations(api, "en")["status"] == "complete"
    assert translations(api, "es")["status"] == "missing"


def test_translate_then_source_change_then_keep_and_retranslate(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    plans = [
        {"name": "Essentiel", "price": 5, "callToAction": {"label": "Commencer"}},
        {"name": "Pro", "price": 15, "callToAction": {"label": "Passer à Pro"}},
    ]
    assert put_fr(translator, {"title": "Tarifs", "plans": plans}).status_code == 200
    fr = translations(translator)
    assert fr["fields"] == {  # "Pro" was sent unchanged: not a translation until kept
        "translated": ["title", "plans[0].name", "plans[0].callToAction.label", "plans[1].callToAction.label"],
        "outdated": [],
        "untranslated": ["plans[1].name"],
        "machine": [],
    }
    response = translator.post(
        "/api/v1/site-blocks/pricing/translations/keep?locale=fr",
        {"fields": ["plans[1].name"]},
        format="json",
        HTTP_IF_MATCH=fr_etag(),
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == fr_etag()
    assert translations(translator)["status"] == "complete"

    # The editor changes the source: exactly those fields become outdated.
    plans_en = [
        {"name": "Basic", "price": 5, "callToAction": {"label": "Start now"}},
        {"name": "Pro", "price": 15, "callToAction": {"label": "Go Pro"}},
    ]
    response = api.put(
        "/api/v1/site-blocks/pricing/data", {"data": {"title": "Our pricing", "plans": plans_en}}, format="json"
    )
    assert response.status_code == 200, response.json()
    fr = translations(translator)
    assert fr["status"] == "partial"
    assert fr["fields"]["outdated"] == ["title", "plans[0].callToAction.label", "plans[1].callToAction.label"]
    assert fr["counts"] == {"translated": 2, "outdated": 3, "untranslated": 0, "machine": 0}

    keep = translator.post(
        "/api/v1/site-blocks/pricing/translations/keep?locale=fr", {"fields": ["title"]}, format="json"
    )
    assert keep.status_code == 200, keep.json()
    plans[0]["callToAction"]["label"] = "Commencer maintenant"
    plans[1]["callToAction"]["label"] = "Passer à la version Pro"
    assert put_fr(translator, {"plans": plans}).status_code == 200
    assert translations(translator)["status"] == "complete"


def test_keep_refusals_name_the_path(api, make_client):
    make_pricing(api)
    put_fr(api, {"title": ""})
    url = "/api/v1/site-blocks/pricing/translations/keep"
    cases = [
        (
            f"{url}?locale=fr",
            {"fields": ["discount", "nope"]},
            422,
            {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {
                    "fields[0]": "`discount` is not a localized field the `en` source has a value for.",
                    "fields[1]": "`nope` is not a localized field the `en` source has a value for.",
                },
            },
        ),
        (
            f"{url}?locale=fr",
            {"fields": ["title"]},
            422,
            {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"fields[0]": "`title` is empty in `fr`: write a translation instead."},
            },
        ),
        (
            url,
            {"fields": ["title"]},
            422,
            {
                "code": "validation_failed",
                "message": "`en` is the source copy: its values are what the other locales translate; keep applies "
                "to them.",
                "fields": {
                    "locale": "`en` is the source copy: its values are what the other locales translate; keep "
                    "applies to them."
                },
            },
        ),
        (
            f"{url}?locale=fr",
            {"fields": "title"},
            422,
            {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"fields": "Must be a list of data paths such as `title` or `plans[1].label`."},
            },
        ),
        (
            f"{url}?locale=fr",
            {},
            422,
            {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"fields": "This field is required."},
            },
        ),
    ]
    before = fr_etag()
    for path, body, status, error in cases:
        response = api.post(path, body, format="json")
        assert response.status_code == status, (body, response.json())
        assert response.json()["error"] == error, body
    stale = api.post(f"{url}?locale=fr", {"fields": ["plans[0].name"]}, format="json", HTTP_IF_MATCH='"1-99"')
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_write"
    viewer = make_client(role="viewer")
    refused = viewer.post(f"{url}?locale=fr", {"fields": ["plans[0].name"]}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert fr_etag() == before  # nothing written


def test_a_source_write_carries_shared_fields_into_every_copy_in_one_transaction(api):
    make_pricing(api)
    assert api.post("/api/v1/site-blocks/pricing/copy-to-locale", {"locale": "es"}, format="json").status_code == 200
    before = {code: revisions_of("pricing", code) for code in ("fr", "es")}
    plans = [{**plan, "price": plan["price"] + 1} for plan in PRICING_DATA["plans"]]
    response = api.put("/api/v1/site-blocks/pricing/data", {"data": {"discount": 30, "plans": plans}}, format="json")
    assert response.status_code == 200, response.json()
    for code in ("fr", "es"):
        copy = SiteBlock.objects.get(slug="pricing", locale=code)
        assert copy.data["discount"] == 30 and [p["price"] for p in copy.data["plans"]] == [6, 16], code
        assert revisions_of("pricing", code) == before[code] + 1  # each copy its own revision
    assert translations(api)["divergedSharedFields"] == []
    assert translations(api)["counts"]["untranslated"] == 5  # shared values are not translation units


def test_a_copy_write_of_a_shared_field_is_refused_naming_the_source(api, make_client):
    make_pricing(api)
    translator = make_client(role="translator")
    plans = [{**plan} for plan in PRICING_DATA["plans"]]
    plans[1] = {**plans[1], "price": 99, "name": "Pro+"}
    for client in (translator, api):
        response = put_fr(client, {"title": "Tarifs", "discount": 30, "plans": plans})
        assert response.status_code == 422, response.json()
        assert response.json()["error"] == {
            "code": "validation_failed",
            "message": "Shared fields have one value in every locale: change them in the `en` copy, the source; "
            "`fr` follows it.",
            "fields": {
                "data.discount": "Shared with `en`: not translated per locale; change it in the `en` copy.",
                "data.plans[1].price": "Shared with `en`: not translated per locale; change it in the `en` copy.",
            },
        }
    fr = SiteBlock.objects.get(slug="pricing", locale="fr")
    assert fr.data == PRICING_DATA and fr.version == 1  # nothing written
    assert put_fr(translator, {"title": "Tarifs", "discount": 20}).status_code == 200  # the same value: fine


def test_diverged_copies_are_shown_and_resynced(api):
    make_pricing(api)
    SiteBlock.objects.filter(slug="pricing", locale="fr").update(data={**PRICING_DATA, "discount": 30})  # legacy
    assert translations(api)["divergedSharedFields"] == ["discount"]
    response = api.post("/api/v1/site-blocks/pricing/sync-shared-fields?locale=fr", format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == [{"locale": "fr", "version": 2, "changedFields": ["discount"]}]
    assert translations(api)["divergedSharedFields"] == []


def test_name_path_and_tags_are_per_locale_and_delivery_finds_the_page_by_its_locale_path(api, make_client, site):
    make_pricing(api)
    translator = make_client(role="translator")
    response = translator.patch(
        "/api/v1/site-blocks/pricing?locale=fr",
        {"name": "Tarifs", "path": "/tarifs", "tags": ["tarifs"]},
        format="json",
        HTTP_IF_MATCH=fr_etag(),
    )
    assert response.status_code == 200, response.json()
    assert {k: response.json()["data"][k] for k in ("name", "path", "tags")} == {
        "name": "Tarifs",
        "path": "/tarifs",
        "tags": ["tarifs"],
    }
    en = api.get("/api/v1/site-blocks/pricing").json()["data"]
    assert (en["name"], en["path"], en["tags"]) == ("Pricing", "/pricing", [])
    for code in ("en", "fr"):
        assert api.post(f"/api/v1/site-blocks/pricing/publish?locale={code}").status_code == 200

    reader = APIClient()
    fr = reader.get("/api/v1/delivery/acme/pages?path=/tarifs&locale=fr")
    assert fr.status_code == 200, fr.json()
    assert fr.json()["data"]["path"] == "/tarifs" and fr.json()["data"]["name"] == "Tarifs"
    assert fr.json()["meta"] == {"locale": "fr", "alternates": [{"locale": "en", "path": "/pricing"}]}
    en = reader.get("/api/v1/delivery/acme/pages?path=/pricing")
    assert en.json()["meta"] == {"locale": "en", "alternates": [{"locale": "fr", "path": "/tarifs"}]}
    missing = reader.get("/api/v1/delivery/acme/pages?path=/tarifs&locale=en")
    assert missing.status_code == 404
    # The en path asked in fr falls back to the en page, whose alternates name fr's own path (to redirect to).
    fallback = reader.get("/api/v1/delivery/acme/pages?path=/pricing&locale=fr")
    assert fallback.json()["meta"] == {"locale": "en", "alternates": [{"locale": "fr", "path": "/tarifs"}]}

    # Unpublishing the fr copy drops it from en's alternates.
    assert api.post("/api/v1/site-blocks/pricing/unpublish?locale=fr").status_code == 200
    invalidate_site(site.pk)  # what the write's commit does (tests run inside one transaction)
    en = reader.get("/api/v1/delivery/acme/pages?path=/pricing")
    assert en.json()["meta"] == {"locale": "en", "alternates": []}


def test_a_path_is_unique_per_site_and_locale(api):
    make_pricing(api)
    api.post("/api/v1/site-blocks", {"name": "Tarifs", "type": "page", "path": "/tarifs"}, format="json")
    ok = api.patch("/api/v1/site-blocks/pricing?locale=fr", {"path": "/tarifs"}, format="json")
    assert ok.status_code == 200, ok.json()  # /tarifs is taken in en, not in fr
    response = api.patch("/api/v1/site-blocks/pricing", {"path": "/tarifs"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "The path `/tarifs` is already taken in this site and locale.",
        "fields": {"path": "Taken."},
    }


def populate(api, count: int) -> None:
    for index in range(count):
        name = f"P{index}"
        body = {"name": name, "type": "global", "schema": PRICING_SCHEMA, "data": PRICING_DATA}
        assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
        api.post(f"/api/v1/site-blocks/p{index}/copy-to-locale", {"locale": "fr"}, format="json")


def test_translations_and_keep_cost_the_same_queries_in_a_small_and_a_large_site(api):
    make_pricing(api)
    api.get("/api/v1/site-blocks/pricing/translations")  # the token's first use stamps it

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as read:
            api.get("/api/v1/site-blocks/pricing/translations")
        with CaptureQueriesContext(connection) as kept:
            response = api.post(
                "/api/v1/site-blocks/pricing/translations/keep?locale=fr", {"fields": ["title"]}, format="json"
            )
            assert response.status_code == 200
        SiteBlock.objects.filter(slug="pricing", locale="fr").update(translation_hashes={})
        return len(read.captured_queries), len(kept.captured_queries)

    small = counted()
    populate(api, 12)
    assert counted() == small


def test_a_failure_carrying_shared_fields_into_one_copy_writes_nothing(api, actor, monkeypatch):
    make_pricing(api)
    assert api.post("/api/v1/site-blocks/pricing/copy-to-locale", {"locale": "es"}, format="json").status_code == 200
    before = {b.locale: (b.version, b.data) for b in SiteBlock.objects.all()}
    real = writing.refresh_unpublished_flag

    def fail_on_es(block):
        if block.locale == "es":
            raise RuntimeError("disk full")
        real(block)

    monkeypatch.setattr(writing, "refresh_unpublished_flag", fail_on_es)
    en = SiteBlock.objects.get(slug="pricing", locale="en")
    with pytest.raises(RuntimeError):
        services.block_update_data(actor=actor, block=en, data={"discount": 35}, expected_version=None)
    assert {b.locale: (b.version, b.data) for b in SiteBlock.objects.all()} == before  # en and fr rolled back too
