"""Issue 14, item 14: a token acts on its own site; `?site=` naming any other site is refused.

`DELETE /locales/fr?site=bravo` with a token of `alpha` used to disable alpha's `fr`. Now every management
route answers `400 bad_request` naming `site` when a token call names another site (existing or not, so
nothing is learnt about other sites), before anything is read or written; naming the token's own site works.
"""

from __future__ import annotations

import pytest

from accounts.models import ApiToken
from blocks.models import SiteBlock
from locales.models import SiteLocale
from tests.api.routes import site_api_routes
from tests.conftest import build_site, client_with, issue_token
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db

MISMATCH = {
    "error": {
        "code": "bad_request",
        "message": "This token acts on its own site only: leave `site` out or name the token's site.",
        "fields": {"site": "Not the site of this token."},
    }
}
OTHER_SITES = [
    "site=bravo",  # another site that exists
    "site=nowhere",  # one that does not
    "site=ALPHA",  # slugs are exact
    "site=alpha%20",
    "site=",
    "site=alpha&site=bravo",  # one of several
    "site=bravo&site=alpha",
]


@pytest.fixture
def sites():
    alpha = build_site("alpha", ("en", "fr"))
    bravo = build_site("bravo", ("en", "fr"))
    _, alpha_secret = issue_token(alpha, username="olive", role="owner")
    _, bravo_secret = issue_token(bravo, username="bob", role="owner")
    for secret in (alpha_secret, bravo_secret):
        api = client_with(secret)
        created = api.post("/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json")
        assert created.status_code == 201
        assert api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, format="json").status_code == 201
    return alpha, bravo, client_with(alpha_secret)


def snapshot() -> tuple:
    return (
        list(SiteBlock.objects.order_by("pk").values_list("pk", "site_id", "locale", "slug", "version", "status")),
        list(SiteLocale.objects.order_by("pk").values_list("pk", "is_enabled", "fallback_id")),
        list(Webhook.objects.order_by("pk").values_list("pk", "url", "is_active", "updated_at")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    )


def test_the_reported_case_disabling_a_locale_of_another_site(sites):
    alpha, _, api = sites
    before = snapshot()
    response = api.delete("/api/v1/locales/fr?site=bravo")
    assert response.status_code == 400 and response.json() == MISMATCH
    assert snapshot() == before
    assert SiteLocale.objects.get(site=alpha, locale__code="fr").is_enabled


@pytest.mark.parametrize("query", OTHER_SITES)
def test_every_route_and_method_refuses_another_site(sites, query):
    _, _, api = sites
    routes = site_api_routes()
    assert len(routes) >= 10
    before = snapshot()
    for route in routes:
        url = route.with_query(route.url("header", code="fr", webhook_id="1", delivery_id="1"), query)
        for method in route.methods:
            response = api.generic(method.upper(), url, b"{}", content_type="application/json")
            assert response.status_code == 400, (method, url, response.content[:300])
            assert response.json() == MISMATCH, (method, url)
    assert snapshot() == before


def test_naming_the_tokens_own_site_works(sites):
    alpha, _, api = sites
    listed = api.get("/api/v1/site-blocks?site=alpha")
    assert listed.status_code == 200
    assert [row["slug"] for row in listed.json()["data"]] == ["header"]
    assert api.delete("/api/v1/locales/fr?site=alpha&site=alpha").status_code == 200
    assert not SiteLocale.objects.get(site=alpha, locale__code="fr").is_enabled
    assert SiteLocale.objects.get(site__slug="bravo", locale__code="fr").is_enabled
