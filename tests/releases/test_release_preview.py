"""A release previewed as a whole through HTTP: a preview token scoped to a release (`POST /api/v1/preview-tokens`
with `release`) makes the delivery API serve, for the release's blocks, what publishing it would put live, and the
published content for everything else; for that site only, until it expires; forged or expired ones are 401."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from tests.conftest import build_site, client_with, issue_token
from tests.releases.test_releases_api import add, create, new_release

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/delivery/acme"
MINT = "/api/v1/preview-tokens"


@pytest.fixture
def api(site) -> APIClient:
    """An editor's token with every scope, `preview` included (what a frontend's preview route would use)."""
    _, secret = issue_token(site, username="pat", role="editor", scopes=("read", "write", "publish", "preview"))
    return client_with(secret)


def title(response) -> str:
    assert response.status_code == 200, response.content
    return response.json()["data"]["data"]["title"]


@pytest.fixture
def release(api):
    """hero (live "Hero live", draft "Hero draft") and `launch` (never published) are published by the release,
    `banner` (live) unpublished by it; `footer` (live, with a draft) is not in it."""
    for name in ("Hero", "Footer", "Banner"):
        create(api, name, f"{name} live", publish=True)
        api.put(f"/api/v1/site-blocks/{name.lower()}/data", {"data": {"title": f"{name} draft"}}, format="json")
    create(api, "Launch", "Launch new")
    release, _ = new_release(api)
    add(api, release, "hero")
    add(api, release, "launch")
    add(api, release, "banner", action="unpublish")
    return release


def mint(api, body: dict) -> dict:
    response = api.post(MINT, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def test_a_release_token_serves_the_release_state_over_the_live_site(api, release):
    data = mint(api, {"release": release, "ttlSeconds": 300})
    reader = APIClient()
    token = data["token"]

    assert data["release"] == release and data["site"] == "acme"
    assert title(reader.get(f"{BASE}/blocks/hero?previewToken={token}")) == "Hero draft"
    assert title(client_with(token).get(f"{BASE}/blocks/launch")) == "Launch new"
    assert title(reader.get(f"{BASE}/blocks/footer?previewToken={token}")) == "Footer live"  # not in the release
    gone = reader.get(f"{BASE}/blocks/banner?previewToken={token}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    listed = reader.get(f"{BASE}/blocks?previewToken={token}")
    assert listed.status_code == 200
    assert sorted(item["data"]["title"] for item in listed.json()["data"]) == [
        "Footer live",
        "Hero draft",
        "Launch new",
    ]
    assert "no-store" in listed["Cache-Control"] and "private" in listed["Cache-Control"]
    # The public and the plain preview token are unchanged beside it.
    assert title(reader.get(f"{BASE}/blocks/hero")) == "Hero live"
    assert reader.get(f"{BASE}/blocks/launch").status_code == 404
    plain = mint(api, {})["token"]
    assert title(reader.get(f"{BASE}/blocks/footer?previewToken={plain}")) == "Footer draft"


def test_the_preview_follows_the_release_as_it_changes(api, release):
    token = mint(api, {"release": release})["token"]
    api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Hero v3"}}, format="json")
    assert title(APIClient().get(f"{BASE}/blocks/hero?previewToken={token}")) == "Hero v3"

    item = next(i for i in api.get(f"/api/v1/releases/{release}").json()["data"]["items"] if i["slug"] == "banner")
    assert api.delete(f"/api/v1/releases/{release}/items/{item['id']}").status_code == 200
    assert title(APIClient().get(f"{BASE}/blocks/banner?previewToken={token}")) == "Banner live"


def test_a_release_token_opens_its_own_site_only(api, release):
    token = mint(api, {"release": release})["token"]
    build_site("globex", ("en",))

    response = APIClient().get(f"/api/v1/delivery/globex/blocks/hero?previewToken={token}")

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": "This preview token belongs to another site."}}


def test_expired_forged_and_orphaned_release_tokens_are_refused_with_the_envelope(api, release):
    expiring = mint(api, {"release": release, "ttlSeconds": 1})["token"]
    token = mint(api, {"release": release})["token"]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    time.sleep(1.05)

    expired = client_with(expiring).get(f"{BASE}/blocks/hero")
    altered = APIClient().get(f"{BASE}/blocks/hero?previewToken={forged}")
    assert api.delete(f"/api/v1/releases/{release}").status_code == 200
    orphaned = APIClient().get(f"{BASE}/blocks/hero?previewToken={token}")

    assert expired.status_code == 401
    assert expired.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "This preview token has expired: open the preview from the CMS again.",
        }
    }
    message = "This preview token is not valid: it was altered, or signed by another installation."
    assert altered.status_code == 401
    assert altered.json() == {
        "error": {"code": "unauthenticated", "message": message, "fields": {"previewToken": message}}
    }
    assert orphaned.status_code == 401
    assert orphaned.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "The release this preview token shows no longer exists: open its preview from the CMS again.",
        }
    }


def test_minting_for_a_release_of_another_site_or_none_is_refused(api, release):
    other = build_site("globex", ("en",))
    _, secret = issue_token(other, username="gabe", role="editor")
    foreign, _ = new_release(client_with(secret), "Theirs")

    for asked in (foreign, 999999):
        response = api.post(MINT, {"release": asked}, format="json")
        assert response.status_code == 422
        assert response.json() == {
            "error": {
                "code": "validation_failed",
                "message": "The request did not validate.",
                "fields": {"release": f"No release {asked} on this site."},
            }
        }
    wrong_type = api.post(MINT, {"release": "x"}, format="json")
    assert wrong_type.status_code == 422 and set(wrong_type.json()["error"]["fields"]) == {"release"}
