"""Issue 14, item 16: a private site cannot be told from a site that does not exist.

The delivery API used to answer 404 for an unknown site and 401 for a private one, so private sites could be
listed by probing. Now, on every delivery route (block, page, list; preview or not; any locale):

- without a token, a private site answers the unknown site's 404, byte for byte (status, headers, body);
- with a valid token of another site, the same 404 (on a public site: 403, a public site is no secret);
- a token that is malformed, unknown, revoked or expired is judged before the site is looked up: the same
  401 whether the site exists, is private, or is public.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Site
from delivery import cache as dcache
from tests.conftest import build_site, client_with, issue_token

pytestmark = pytest.mark.django_db

# Same length, so even Content-Length is the same once the slug in the message is swapped.
PRIVATE, ABSENT, PUBLIC = "secret", "absent", "opened"
PATHS = [
    "/blocks/hero",
    "/blocks/nope",
    "/blocks/hero?locale=fr",
    "/blocks/hero?locale=zz",
    "/blocks/hero?preview=true",
    "/pages?path=/about",
    "/pages?path=/nope&preview=true",
    "/blocks",
    "/blocks?type=page&page=2",
]


@pytest.fixture(autouse=True)
def clean_cache():
    def clear():
        if "locmem" in settings.CACHES["default"]["BACKEND"]:
            cache.clear()
        dcache.local_clear()

    clear()
    yield
    clear()


def site_with_content(slug: str, *, public: bool) -> tuple[Site, dict[str, str]]:
    site = build_site(slug, ("en", "fr"))
    _, owner = issue_token(site, username=f"{slug}-owner", role="owner")
    api = client_with(owner)
    for body in (
        {"name": "Hero", "type": "global", "schema": [{"name": "t", "type": "string"}], "data": {"t": "x"}},
        {"name": "About", "type": "page", "path": "/about", "schema": [], "data": {}},
    ):
        assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
    for slug_ in ("hero", "about"):
        assert api.post(f"/api/v1/site-blocks/{slug_}/publish").status_code == 200
    Site.objects.filter(pk=site.pk).update(is_public=public)
    tokens = {}
    for name, scopes in {"read": ("read",), "preview": ("read", "preview"), "write": ("write",)}.items():
        tokens[name] = issue_token(site, username=f"{slug}-{name}", role="viewer", scopes=scopes)[1]
    _, tokens["revoked"] = issue_token(site, username=f"{slug}-revoked", role="viewer", scopes=("read",))
    ApiToken.objects.filter(user__username=f"{slug}-revoked").update(revoked_at=timezone.now())
    _, tokens["expired"] = issue_token(site, username=f"{slug}-expired", role="viewer", scopes=("read",))
    ApiToken.objects.filter(user__username=f"{slug}-expired").update(expires_at=timezone.now() - timedelta(1))
    return site, tokens


@pytest.fixture
def world():
    _, private_tokens = site_with_content(PRIVATE, public=False)
    _, public_tokens = site_with_content(PUBLIC, public=True)
    return private_tokens, public_tokens


def get(path: str, slug: str, authorization: str | None = None):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return APIClient().get(f"/api/v1/delivery/{slug}{path}", **extra)


def seen(response, slug: str) -> tuple:
    """What a prober sees, with the probed slug written as `absent`."""
    swap = (f"`{slug}`".encode(), f"`{ABSENT}`".encode())
    return response.status_code, dict(response.headers.items()), response.content.replace(*swap)


def same_as_absent(path: str, slug: str, authorization: str | None = None):
    probed = get(path, slug, authorization)
    absent = get(path, ABSENT, authorization)
    assert seen(probed, slug) == seen(absent, ABSENT), (path, slug, authorization)
    return probed


@pytest.mark.parametrize("path", PATHS)
def test_without_a_token_a_private_site_is_an_unknown_site(world, path):
    response = same_as_absent(path, PRIVATE)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": f"No site `{PRIVATE}`."}}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["read", "preview", "write"])
def test_a_token_of_another_site_sees_the_private_site_as_unknown(world, path, kind):
    _, public_tokens = world
    response = same_as_absent(path, PRIVATE, f"Bearer {public_tokens[kind]}")
    assert response.status_code == 404


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "authorization",
    ["Bearer cms_live_unknown", "Bearer nope", "Basic dXNlcjpwdw==", "Bearer", "Bearer cms_live_" + "x" * 300],
)
@pytest.mark.parametrize("slug", [PRIVATE, PUBLIC])
def test_an_invalid_token_is_401_whether_the_site_exists_or_not(world, path, authorization, slug):
    response = same_as_absent(path, slug, authorization)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["revoked", "expired"])
@pytest.mark.parametrize("owner", ["private", "public"])
def test_a_revoked_or_expired_token_is_401_whether_the_site_exists_or_not(world, path, kind, owner):
    private_tokens, public_tokens = world
    secret = (private_tokens if owner == "private" else public_tokens)[kind]
    for slug in (PRIVATE, PUBLIC):
        response = same_as_absent(path, slug, f"Bearer {secret}")
        assert response.status_code == 401 and response.json()["error"]["code"] == "token_revoked"


def test_the_sites_own_tokens_still_read_it(world):
    private_tokens, _ = world
    assert get("/blocks/hero", PRIVATE, f"Bearer {private_tokens['read']}").status_code == 200
    assert get("/pages?path=/about", PRIVATE, f"Bearer {private_tokens['read']}").status_code == 200
    assert get("/blocks/hero?preview=true", PRIVATE, f"Bearer {private_tokens['preview']}").status_code == 200
    # its own site: the site is known to it, the missing scope is said
    response = get("/blocks/hero", PRIVATE, f"Bearer {private_tokens['write']}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_a_public_site_is_no_secret(world):
    private_tokens, _ = world
    assert get("/blocks/hero", PUBLIC).status_code == 200
    foreign = get("/blocks/hero", PUBLIC, f"Bearer {private_tokens['read']}")
    assert foreign.status_code == 403 and foreign.json()["error"]["message"] == "This token belongs to another site."
    preview = get("/blocks/hero?preview=true", PUBLIC)
    assert preview.status_code == 401 and preview.json()["error"]["code"] == "unauthenticated"
