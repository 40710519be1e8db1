"""Signed preview tokens through HTTP: minted by the management API, accepted by the delivery API in place of a
`preview` API token, for their own site only, until they expire (accounts/preview.py)."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.permissions import Actor
from accounts.preview import preview_url_for
from blocks import services
from cms import errors
from locales.sites import site_update
from tests.conftest import build_site, client_with, issue_token

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"
MINT = "/api/v1/preview-tokens"


def mint(client: APIClient, body: dict | None = None) -> str:
    response = client.post(MINT, body or {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]["token"]


@pytest.fixture
def previewer(site):
    """An editor and their token allowed to read and preview (not write): what a preview route would hold."""
    return issue_token(site, username="pat", role="editor", scopes=("read", "preview"))


@pytest.fixture
def api(previewer) -> APIClient:
    return client_with(previewer[1])


@pytest.fixture
def draft_over_live(publish, write):
    """`hero`, published as "Live title", with "Draft title" in its working copy."""
    block = publish("Hero", {"title": "Live title"})
    write(services.block_update_data, block=block, data={"title": "Draft title"}, expected_version=None)
    return block


def test_minting_answers_a_token_for_the_callers_site_with_its_expiry(site, api):
    before = time.time()
    response = api.post(MINT, {"ttlSeconds": 600}, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert set(data) == {"token", "expiresAt", "site"}
    assert data["token"].startswith("cms_preview_") and data["site"] == "acme"
    expires = time.mktime(time.strptime(data["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before + 599 <= expires <= time.time() + 601


def test_a_preview_token_reads_working_copies_as_a_bearer_or_a_parameter(site, api, draft_over_live):
    token = mint(api)
    reader = APIClient()

    public = reader.get(f"{BASE}/blocks/hero")
    by_header = client_with(token).get(f"{BASE}/blocks/hero")
    by_param = reader.get(f"{BASE}/blocks/hero?previewToken={token}")

    assert public.json()["data"]["data"] == {"title": "Live title"}
    for response in (by_header, by_param):
        assert response.status_code == 200
        assert response.json()["data"]["data"] == {"title": "Draft title"}
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_viewer_may_mint_but_a_token_without_the_preview_scope_may_not(site, make_client):
    viewer = make_client(role="viewer", scopes=("read", "preview"))
    reader_only = make_client(role="editor", scopes=("read",))

    assert viewer.post(MINT, {}, format="json").status_code == 201
    assert make_client(role="translator", scopes=("read", "preview")).post(MINT, {}, format="json").status_code == 201
    refused = reader_only.post(MINT, {}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "forbidden", "message": "Minting a preview token needs the `preview` scope."}
    }


@pytest.mark.parametrize("ttl", ["600", 0, -5, 86_401, True, 1.5])
def test_a_lifetime_that_is_no_whole_number_of_allowed_seconds_is_refused(site, api, ttl):
    response = api.post(MINT, {"ttlSeconds": ttl}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and set(error["fields"]) == {"ttlSeconds"}


def test_an_expired_token_is_refused_with_the_envelope(site, api, draft_over_live):
    token = mint(api, {"ttlSeconds": 1})
    time.sleep(1.05)

    response = client_with(token).get(f"{BASE}/blocks/hero")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "This preview token has expired: open the preview from the CMS again.",
        }
    }
    assert response["Cache-Control"] == "no-store"


def test_a_forged_or_altered_token_is_refused_naming_the_parameter(site, api, draft_over_live):
    token = mint(api)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    message = "This preview token is not valid: it was altered, or signed by another installation."

    by_param = APIClient().get(f"{BASE}/blocks/hero?previewToken={altered}")
    made_up = APIClient().get(f"{BASE}/blocks/hero?previewToken=cms_preview_eyJzIjoxfQ:1:abc")
    not_one = APIClient().get(f"{BASE}/blocks/hero?previewToken=hello")

    assert by_param.status_code == 401
    assert by_param.json() == {
        "error": {"code": "unauthenticated", "message": message, "fields": {"previewToken": message}}
    }
    assert made_up.status_code == 401 and made_up.json()["error"]["message"] == message
    assert not_one.status_code == 401
    assert not_one.json()["error"]["fields"] == {
        "previewToken": "This is not a preview token (they start with `cms_preview_`)."
    }


def test_a_token_opens_its_own_site_only(site, api, draft_over_live):
    token = mint(api)
    public_other = build_site("globex", ("en",))
    private_other = build_site("initech", ("en",))
    private_other.is_public = False
    private_other.save()

    on_public = APIClient().get(f"/api/v1/delivery/globex/blocks/hero?previewToken={token}")
    on_private = APIClient().get(f"/api/v1/delivery/initech/blocks/hero?previewToken={token}")

    assert on_public.status_code == 403
    assert on_public.json() == {
        "error": {"code": "forbidden", "message": "This preview token belongs to another site."}
    }
    assert on_private.status_code == 404
    assert on_private.json() == {"error": {"code": "not_found", "message": "No site `initech`."}}
    assert public_other.pk != site.pk


def test_leaving_the_site_ends_the_previews_one_opened(site, api, previewer, draft_over_live):
    token = mint(api)
    assert client_with(token).get(f"{BASE}/blocks/hero").status_code == 200

    Membership.objects.filter(user=previewer[0], site=site).delete()
    response = client_with(token).get(f"{BASE}/blocks/hero")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "unauthenticated",
        "message": "Whoever opened this preview may no longer preview this site.",
    }


def test_contradictory_credentials_are_a_bad_request(site, api, editor, draft_over_live):
    token = mint(api)

    with_false = APIClient().get(f"{BASE}/blocks/hero?preview=false&previewToken={token}")
    with_both = client_with(editor[1]).get(f"{BASE}/blocks/hero?previewToken={token}")

    assert with_false.status_code == 400
    assert with_false.json()["error"] == {
        "code": "bad_request",
        "message": "A preview token serves working copies: leave `preview` out or set it to true.",
        "fields": {"preview": "Must not be false with a preview token."},
    }
    assert with_both.status_code == 400
    assert with_both.json()["error"]["fields"] == {"previewToken": "Not with an Authorization header."}


def test_pages_and_lists_take_the_token_too(site, api, publish, write):
    page = publish("About", {"title": "Live"}, type="page", path="/about")
    write(services.block_update_data, block=page, data={"title": "Draft"}, expected_version=None)
    token = mint(api)

    page_answer = APIClient().get(f"{BASE}/pages?path=/about&previewToken={token}")
    list_answer = APIClient().get(f"{BASE}/blocks?type=page&previewToken={token}")

    assert page_answer.json()["data"]["data"] == {"title": "Draft"}
    assert [item["data"] for item in list_answer.json()["data"]] == [{"title": "Draft"}]


# -- the site's preview URL ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/p?t={token}", "An absolute http:// or https:// URL"),
        ("/api/preview?t={token}", "An absolute http:// or https:// URL"),
        ("https://example.com/p?t={token}&x={user}", "Unknown placeholder {user}"),
        ("https://example.com/p?slug={slug}", "Put {token} in the URL"),
        ("https://example.com/p?t={token", "Unbalanced braces"),
        ("https://example.com/" + "a" * 500 + "?t={token}", "At most 500 characters."),
    ],
)
def test_a_preview_url_must_be_an_absolute_template_with_the_token(site, editor, url, problem):
    Membership.objects.filter(user=editor[0], site=site).update(role="owner")
    owner = Actor(user=editor[0], site=site, role="owner")

    with pytest.raises(errors.ValidationFailed) as refused:
        site_update(actor=owner, name=site.name, timezone_name="UTC", is_public=True, preview_url=url)

    assert list(refused.value.fields or {}) == ["previewUrl"]
    assert (refused.value.fields or {})["previewUrl"].startswith(problem)


def test_a_valid_preview_url_is_kept_and_filled_per_block(site, editor):
    owner = Actor(user=editor[0], site=site, role="owner")
    template = "https://www.example.com/api/preview?slug={slug}&locale={locale}&path={path}&token={token}"

    site_update(actor=owner, name=site.name, timezone_name="UTC", is_public=True, preview_url=f"  {template} ")
    site.refresh_from_db()

    assert site.preview_url == template
    assert preview_url_for(site.preview_url, slug="a b", locale="fr-CA", path="/tarifs/été", token="cms_preview_x") == (
        "https://www.example.com/api/preview?slug=a%20b&locale=fr-CA&path=/tarifs/%C3%A9t%C3%A9&token=cms_preview_x"
    )


def test_a_superuser_without_membership_previews_through_a_session(site, draft_over_live, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    session = APIClient()
    session.force_authenticate(admin)
    token = session.post(f"{MINT}?site=acme", {}, format="json").json()["data"]["token"]

    assert client_with(token).get(f"{BASE}/blocks/hero").json()["data"]["data"] == {"title": "Draft title"}
    issue_token(site, username="unused")  # the site's other tokens are untouched by minting
