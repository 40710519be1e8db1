"""`/api/v1/locales`: reading the site's locales, and the owner's changes with their refusals."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from locales.events import site_locales_changed
from locales.models import SiteLocale
from tests.locales import listeners


@pytest.fixture
def owner(make_client):
    return make_client(role="owner")


def codes(api) -> list[str]:
    return [row["code"] for row in api.get("/api/v1/locales").json()["data"]]


@pytest.mark.django_db
def test_get_locales_lists_enabled_locales_default_and_chains(api):
    response = api.get("/api/v1/locales")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"defaultLocale": "en"}
    assert body["data"][0] == {"code": "en", "name": "en", "isDefault": True, "fallback": None, "chain": ["en"]}
    assert [row["code"] for row in body["data"]] == ["en", "es", "fr"]
    assert body["data"][2]["chain"] == ["fr", "en"]


@pytest.mark.django_db
def test_owner_enables_a_regional_locale_with_a_fallback(owner):
    response = owner.post(
        "/api/v1/locales", {"code": "fr-ca", "name": "Français (Canada)", "fallback": "fr"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["data"] == {
        "code": "fr-CA",
        "name": "Français (Canada)",
        "isDefault": False,
        "fallback": "fr",
        "chain": ["fr-CA", "fr", "en"],
    }
    again = owner.post("/api/v1/locales", {"code": "fr-CA"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "fr_CA"}, "code"),
        ({"code": "french"}, "code"),
        ({"code": 5}, "code"),
        ({"code": "de", "fallback": "it"}, "fallback"),
        ({"code": "de", "fallback": "de"}, "fallback"),
        ({"code": "de", "extra": 1}, "extra"),
        ({}, "code"),
    ],
)
def test_invalid_enable_requests_are_refused_with_the_field(owner, body, field):
    response = owner.post("/api/v1/locales", body, format="json")
    assert response.status_code == 422, response.json()
    assert response.json()["error"]["code"] == "validation_failed"
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_fallback_cycles_are_refused(owner):
    assert owner.patch("/api/v1/locales/fr", {"fallback": "es"}, format="json").status_code == 200
    response = owner.patch("/api/v1/locales/es", {"fallback": "fr"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"fallback": "Fallbacks would loop: es → fr → es."}
    assert SiteLocale.objects.get(locale__code="es").fallback is None


@pytest.mark.django_db
def test_default_locale_cannot_be_disabled_and_can_be_moved(owner):
    response = owner.delete("/api/v1/locales/en")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"code": "The default locale cannot be disabled."}
    assert owner.patch("/api/v1/locales/fr", {"isDefault": True}, format="json").json()["data"]["isDefault"]
    assert owner.delete("/api/v1/locales/en").status_code == 200
    assert codes(owner) == ["es", "fr"]


@pytest.mark.django_db
def test_a_locale_others_fall_back_to_cannot_be_disabled(owner):
    owner.patch("/api/v1/locales/es", {"fallback": "fr"}, format="json")
    response = owner.delete("/api/v1/locales/fr")
    assert response.status_code == 422
    assert "`es`" in response.json()["error"]["fields"]["code"]


@pytest.mark.django_db
def test_disabling_keeps_blocks_and_reenabling_brings_them_back(owner, api):
    api.post("/api/v1/site-blocks", {"name": "Header", "type": "global", "locale": "es"}, format="json")
    assert owner.delete("/api/v1/locales/es").json() == {"message": "Locale disabled"}
    assert "es" not in codes(owner)
    assert SiteBlock.objects.filter(locale="es", slug="header").exists()
    created = api.post("/api/v1/site-blocks", {"name": "Other", "type": "global", "locale": "es"}, format="json")
    assert created.status_code == 422  # a disabled locale takes no new blocks
    assert owner.post("/api/v1/locales", {"code": "es"}, format="json").status_code == 201
    assert api.get("/api/v1/site-blocks/header?locale=es").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "translator", "viewer"])
def test_only_owners_change_locales(make_client, role):
    client = make_client(role=role)
    assert client.get("/api/v1/locales").status_code == 200
    response = client.post("/api/v1/locales", {"code": "de"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.delete("/api/v1/locales/es").status_code == 403


@pytest.mark.django_db
def test_unknown_locale_is_not_found(owner):
    assert owner.patch("/api/v1/locales/de", {"fallback": None}, format="json").status_code == 404
    assert owner.delete("/api/v1/locales/de").json()["error"]["code"] == "not_found"


@pytest.mark.django_db(transaction=True)
def test_listeners_hear_about_changes_after_commit(site, make_client, subscribe):
    listeners.CALLS.clear()
    owner = make_client(role="owner")
    subscribe(site_locales_changed, listeners.record)
    owner.post("/api/v1/locales", {"code": "de"}, format="json")
    owner.post("/api/v1/locales", {"code": "bad_code"}, format="json")  # refused: nothing to announce
    owner.delete("/api/v1/locales/de")
    calls = list(listeners.CALLS)
    assert calls == [site.pk, site.pk]
