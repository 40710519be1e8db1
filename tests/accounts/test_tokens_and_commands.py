"""Sites and tokens through the commands of docs/management-api.md "Tokens, roles and scopes", and what a token
may then do over HTTP."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, Site
from accounts.services import token_create, token_revoke
from locales.models import SiteLocale

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def new_token(*args) -> str:
    """`create_api_token` as a script uses it: the secret is the last line of standard output."""
    return run("create_api_token", *args).rstrip("\n").splitlines()[-1]


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def acme():
    run("create_site", "acme", "--name", "Acme Inc", "--locales", "en,fr,fr-CA,es", "--default-locale", "en")
    return Site.objects.get(slug="acme")


def test_create_site_with_locales_default_and_timezone():
    out = run(
        "create_site", "acme", "--name", "Acme Inc", "--locales", "en,fr,es", "--default-locale", "fr",
        "--timezone", "Europe/Paris",
    )  # fmt: skip
    site = Site.objects.get(slug="acme")
    assert (site.name, site.default_locale, site.timezone) == ("Acme Inc", "fr", "Europe/Paris")
    codes = sorted(SiteLocale.objects.filter(site=site).values_list("locale__code", flat=True))
    assert codes == ["en", "es", "fr"]
    assert "acme" in out


def test_create_site_regional_locale_falls_back_to_its_language(acme):
    fallbacks = dict(SiteLocale.objects.filter(site=acme).values_list("locale__code", "fallback__code"))
    assert fallbacks == {"en": None, "fr": None, "fr-CA": "fr", "es": None}


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["Bad Slug", "--locales", "en"], "slug"),
        (["acme2", "--locales", "en,fr", "--default-locale", "de"], "defaultLocale"),
        (["acme2", "--locales", "en", "--timezone", "Mars/Olympus"], "timezone"),
        (["acme2", "--locales", "en,not a code"], "locales"),
    ],
)
def test_create_site_refuses_bad_input(args, complaint):
    with pytest.raises(CommandError, match=complaint):
        run("create_site", *args)
    assert not Site.objects.exists()


def test_create_site_refuses_a_taken_slug(acme):
    with pytest.raises(CommandError, match="already exists"):
        run("create_site", "acme", "--locales", "en")


def test_create_api_token_creates_user_membership_and_a_working_token(acme):
    secret = new_token("--site", "acme", "--user", "ci-bot", "--name", "CI")

    assert secret.startswith("cms_live_") and len(secret) > 40
    user = get_user_model().objects.get(username="ci-bot")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, site=acme).role == "editor"
    token = ApiToken.objects.get(user=user)
    assert token.name == "CI" and token.scopes == ["read", "write", "publish"]
    # Only the hash is stored: no column holds the secret.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())

    api = bearer(secret)
    assert api.get("/api/v1/site-blocks").status_code == 200
    created = api.post("/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json")
    assert created.status_code == 201
    assert api.post("/api/v1/site-blocks/header/publish").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_create_api_token_role_and_scopes_cap_what_it_may_do(acme):
    viewer = bearer(new_token("--site", "acme", "--user", "vera", "--role", "viewer"))
    reader = bearer(new_token("--site", "acme", "--user", "rita", "--scopes", "read"))
    editor = bearer(new_token("--site", "acme", "--user", "ed", "--role", "editor", "--scopes", "read,write"))
    assert editor.post("/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json").status_code == 201

    for client in (viewer, reader):
        assert client.get("/api/v1/site-blocks/header").status_code == 200
        refused = client.put("/api/v1/site-blocks/header/data", {"data": {}}, format="json")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    no_publish = editor.post("/api/v1/site-blocks/header/publish")
    assert no_publish.status_code == 403 and no_publish.json()["error"]["code"] == "forbidden"


def test_create_api_token_help_lists_every_scope():
    """Issue 21: the help said `read, write, publish`, but `preview` works too."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    shown = subprocess.run(
        [sys.executable, str(manage), "create_api_token", "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())  # argparse wraps the help to the terminal's width
    assert "Comma list of read, write, publish, preview (default: read,write,publish)." in text


def test_create_api_token_keeps_an_existing_role_unless_told(acme):
    new_token("--site", "acme", "--user", "olga", "--role", "owner")
    new_token("--site", "acme", "--user", "olga")
    assert Membership.objects.get(user__username="olga").role == "owner"
    # The last owner is kept, as in the admin: the command says why and changes nothing.
    with pytest.raises(CommandError, match="last owner"):
        run("create_api_token", "--site", "acme", "--user", "olga", "--role", "translator")
    assert Membership.objects.get(user__username="olga").role == "owner"
    assert ApiToken.objects.filter(user__username="olga").count() == 2
    new_token("--site", "acme", "--user", "oscar", "--role", "owner")
    new_token("--site", "acme", "--user", "olga", "--role", "translator")
    assert Membership.objects.get(user__username="olga").role == "translator"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--site", "nope", "--user", "x"], "No site"),
        (["--site", "acme", "--user", "x", "--scopes", "read,admin"], "admin"),
        (["--site", "acme", "--user", "x", "--scopes", ","], "scope"),
    ],
)
def test_create_api_token_refuses_bad_input(acme, args, complaint):
    with pytest.raises(CommandError, match=complaint):
        run("create_api_token", *args)
    assert not ApiToken.objects.exists()


def test_at_most_five_active_tokens_per_user_and_site(acme):
    secrets = [new_token("--site", "acme", "--user", "max") for _ in range(5)]
    with pytest.raises(CommandError, match="at most 5"):
        run("create_api_token", "--site", "acme", "--user", "max")
    assert ApiToken.objects.filter(user__username="max").count() == 5

    # Revoked and expired tokens do not count; another site has its own allowance.
    token_revoke(token=ApiToken.objects.filter(user__username="max").first())
    secrets.append(new_token("--site", "acme", "--user", "max"))
    run("create_site", "globex", "--locales", "en")
    new_token("--site", "globex", "--user", "max")
    assert len(set(secrets)) == 6


def test_revoked_and_expired_tokens_answer_token_revoked(acme):
    secret = new_token("--site", "acme", "--user", "rev")
    token = ApiToken.objects.get(user__username="rev")
    assert bearer(secret).get("/api/v1/site-blocks").status_code == 200

    token_revoke(token=token)
    response = bearer(secret).get("/api/v1/site-blocks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"

    user = token.user
    expiring, expiring_secret = token_create(user=user, site=acme, expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(expiring_secret).get("/api/v1/site-blocks").status_code == 200
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = bearer(expiring_secret).get("/api/v1/site-blocks")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_revoked"


def test_unknown_and_malformed_tokens_are_unauthenticated(acme):
    for header in ("Bearer cms_live_nope", "Bearer something-else", "Token abc", "Bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/site-blocks")
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "unauthenticated"
    anonymous = APIClient().get("/api/v1/site-blocks")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"


def test_token_of_a_removed_member_can_do_nothing(acme):
    secret = new_token("--site", "acme", "--user", "gone")
    Membership.objects.filter(user__username="gone").delete()
    response = bearer(secret).get("/api/v1/site-blocks")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_admin_session_browses_the_api(acme, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    bearer(new_token("--site", "acme", "--user", "ed")).post(
        "/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json"
    )

    # JSON even when a browser asks for HTML: the API has one representation (tests/hostile/test_json_only.py).
    listed = client.get("/api/v1/site-blocks?site=acme", HTTP_ACCEPT="text/html")
    assert listed.status_code == 200 and listed["Content-Type"] == "application/json"
    assert [row["slug"] for row in listed.json()["data"]] == ["header"]

    as_json = client.get("/api/v1/site-blocks/header?site=acme")
    assert as_json.status_code == 200 and as_json.json()["data"]["slug"] == "header"
    assert client.get("/api/v1/site-blocks/header?site=nope").status_code == 404
