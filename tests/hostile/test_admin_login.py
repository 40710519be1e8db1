"""Issue 14, item 15: the admin login locks out after repeated failures, and the admin sends a CSP.

Login lockout (django-axes): after 5 failed logins for one user name from one address that pair is locked
for the cool-off (15 minutes; `CMS_LOGIN_FAILURE_LIMIT`, `CMS_LOGIN_COOLOFF_MINUTES`), even with the right
password then; the page says so (429, `Retry-After`). The same user from another address, and other users
from the same address, still log in. The cool-off ends it; a success resets the count.

Content-Security-Policy (django-csp): every admin page sends `script-src 'self'`, and none of the pages the
editor, the team admin, webhooks and schedules render carries an inline script, event handler or
`javascript:` URL that the policy would block (tests/editor/test_admin_browser.py checks the browser reports
no violation while it walks the editing story).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from blocks.models import SiteBlock
from tests.editor.conftest import LINKS_SCHEMA, logged_in, make_block, member
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "pw-for-tests-1"  # what `member` sets
LOCKED_TEXT = "Too many failed login attempts (5) for this user from your address."


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in_ok(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def ed(site):
    return member(site, "ed", "editor")


def test_five_failures_lock_the_user_at_that_address_even_with_the_right_password(ed):
    client = Client()
    for _ in range(4):
        response = attempt(client, "ed", "wrong")
        assert (
            response.status_code == 200
            and "Please enter the correct username and password" in response.content.decode()
        )
    fifth = attempt(client, "ed", "wrong")
    assert fifth.status_code == 429
    for password in ("wrong", PASSWORD):
        locked = attempt(Client(), "ed", password)
        assert locked.status_code == 429, password
        page = locked.content.decode()
        assert LOCKED_TEXT in page and "blocked for 15 minutes" in page
        assert locked["Retry-After"] == "900"
        assert "_auth_user_id" not in locked.wsgi_request.session
    assert Client().get("/admin/").status_code == 302  # not logged in


def test_the_lock_is_per_user_and_address(site, ed):
    member(site, "other", "editor")
    for _ in range(5):
        attempt(Client(), "ed", "wrong", "10.0.0.1")
    assert attempt(Client(), "ed", PASSWORD, "10.0.0.1").status_code == 429
    assert logged_in_ok(attempt(Client(), "ed", PASSWORD, "10.0.0.2"))  # the user elsewhere
    assert logged_in_ok(attempt(Client(), "other", PASSWORD, "10.0.0.1"))  # another user here
    assert logged_in_ok(attempt(Client(), "ed", PASSWORD, "2001:db8::1"))


def test_a_success_resets_the_count(ed):
    for _ in range(4):
        attempt(Client(), "ed", "wrong")
    assert logged_in_ok(attempt(Client(), "ed", PASSWORD))
    for _ in range(4):
        assert attempt(Client(), "ed", "wrong").status_code == 200
    assert logged_in_ok(attempt(Client(), "ed", PASSWORD))


def test_unknown_user_names_are_locked_too(db):
    for _ in range(5):
        attempt(Client(), "nobody", "wrong")
    assert attempt(Client(), "nobody", "wrong").status_code == 429


def test_the_cool_off_ends_the_lock(ed, settings):
    # Long enough that a loaded machine still sees the lock between the fifth failure and the next try (the
    # cool-off counts from the last failure); the sleep then outlasts it.
    settings.AXES_COOLOFF_TIME = timedelta(seconds=4)
    for _ in range(5):
        attempt(Client(), "ed", "wrong")
    locked = attempt(Client(), "ed", PASSWORD)
    assert locked.status_code == 429 and "blocked for 1 minute:" in locked.content.decode()
    time.sleep(4.2)
    assert logged_in_ok(attempt(Client(), "ed", PASSWORD))


def test_limits_follow_the_settings(ed, settings):
    settings.AXES_FAILURE_LIMIT = 2
    attempt(Client(), "ed", "wrong")
    assert attempt(Client(), "ed", "wrong").status_code == 429
    assert "Too many failed login attempts (2)" in attempt(Client(), "ed", PASSWORD).content.decode()


# ---- Content-Security-Policy ----------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
# The one inline script allowed: the rich-text editor's import map (data, not code), under the page's nonce.
IMPORT_MAP = re.compile(r'<script type="importmap" nonce="([^"]+)">')
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_csp_clean(response, url: str) -> None:
    assert response.status_code == 200, (url, response.status_code)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    html = response.content.decode()
    import_map = IMPORT_MAP.search(html)
    nonce = f" 'nonce-{import_map.group(1)}'" if import_map else ""
    assert directives["script-src"] == f"'self'{nonce}", policy
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    inline = [tag for tag in INLINE_SCRIPT.findall(html) if not IMPORT_MAP.match(tag)]
    assert not inline, (url, inline[:3])
    assert not EVENT_HANDLER.findall(html), (url, EVENT_HANDLER.findall(html)[:3])
    assert not JS_URL.findall(html), url


def test_the_login_and_lockout_pages_send_the_policy(ed):
    assert_csp_clean(Client().get(LOGIN), LOGIN)
    for _ in range(5):
        attempt(Client(), "ed", "wrong")
    locked = attempt(Client(), "ed", PASSWORD)
    assert locked.status_code == 429 and "script-src 'self'" in locked["Content-Security-Policy"]
    assert not INLINE_SCRIPT.findall(locked.content.decode())


def test_every_editor_page_has_the_policy_and_no_inline_script(site):
    block = make_block(site, schema=LINKS_SCHEMA, data={"title": "Hi", "links": [{"label": "A", "url": "/a"}]})
    page = make_block(site, name="About", type="page", path="/about")
    owner = member(site, "own", "owner")
    client = logged_in(owner)
    client.post(reverse("admin:blocks_siteblock_publish", args=[block.pk]), {"version": block.version})
    block.refresh_from_db()
    revision = block.revisions.order_by("-pk").first()
    hook = Webhook.objects.create(site=site, url="http://127.0.0.1:9/hook", secret="s" * 20)
    delivery = WebhookDelivery.objects.create(webhook=hook, event="block.published", body="{}")
    token_user = get_user_model().objects.get(username="own")
    urls = [
        "/admin/",
        reverse("admin:blocks_siteblock_changelist"),
        reverse("admin:blocks_siteblock_add"),
        reverse("admin:blocks_siteblock_change", args=[block.pk]),
        reverse("admin:blocks_siteblock_change", args=[page.pk]),
        reverse("admin:blocks_siteblock_history", args=[block.pk]),
        reverse("admin:blocks_siteblock_preview", args=[block.pk]),
        reverse("admin:blocks_siteblock_copy", args=[block.pk]),
        reverse("admin:blocks_siteblock_schedule", args=[block.pk]),
        reverse("admin:blocks_siteblock_delete", args=[page.pk]),
        reverse("admin:webhooks_webhook_changelist"),
        reverse("admin:webhooks_webhook_add"),
        reverse("admin:webhooks_webhook_change", args=[hook.pk]),
        reverse("admin:webhooks_webhook_delete", args=[hook.pk]),
        reverse("admin:webhooks_webhookdelivery_changelist"),
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]),
        reverse("admin:accounts_apitoken_changelist"),
        reverse("admin:accounts_apitoken_add"),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:accounts_site_changelist"),
        reverse("admin:accounts_site_change", args=[site.pk]),
        "/admin/password_change/",
        reverse("admin:blocks_siteblock_revision", args=[block.pk, revision.number]),
    ]
    for url in urls:
        assert_csp_clean(client.get(url), url)
    # A token's one-time page and the revoke page.
    created = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"site": site.pk, "user": token_user.pk, "name": "ci", "scopes": ["read"], "expires_at": ""},
        follow=True,
    )
    assert_csp_clean(created, "token created")
    token = ApiToken.objects.get(name="ci")
    assert_csp_clean(client.get(reverse("admin:accounts_apitoken_revoke", args=[token.pk])), "revoke")
    superuser = logged_in(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    for url in ["/admin/axes/accessattempt/", reverse("admin:accounts_site_add"), "/admin/auth/user/"]:
        assert_csp_clean(superuser.get(url), url)
    assert SiteBlock.objects.count() == 2


def test_the_apis_send_no_policy(api):
    assert "Content-Security-Policy" not in api.get("/api/v1/site-blocks")
    assert "Content-Security-Policy" not in Client().get("/api/v1/delivery/acme/blocks")
