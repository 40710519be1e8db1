"""Sites, members and API tokens in the admin: what an owner does without a shell, and what others cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.authentication import hash_token
from accounts.models import ApiToken, Membership, Site
from accounts.services import token_create
from locales.models import SiteLocale
from tests.conftest import build_site, client_with
from tests.editor.conftest import logged_in, member
from tests.editor.helpers import encode, rendered_form_post

SITES = reverse("admin:accounts_site_changelist")
MEMBERS = reverse("admin:accounts_membership_changelist")
TOKENS = reverse("admin:accounts_apitoken_changelist")
ADD_MEMBER = reverse("admin:accounts_membership_add")
ADD_TOKEN = reverse("admin:accounts_apitoken_add")
FORM = "application/x-www-form-urlencoded"


def site_url(site) -> str:
    return reverse("admin:accounts_site_change", args=[site.pk])


def membership_url(membership, action="change") -> str:
    return reverse(f"admin:accounts_membership_{action}", args=[membership.pk])


def errors_of(response) -> dict:
    """The add/change form's errors by field ("__all__" for the others)."""
    form = response.context["adminform"].form
    return {key: " ".join(value) for key, value in form.errors.items()}


@pytest.fixture
def owner(site):
    return member(site, "olivia", "owner")


@pytest.fixture
def as_owner(owner):
    return logged_in(owner)


@pytest.fixture
def editor_user(site):
    return member(site, "eddie", "editor")


# -- site settings --------------------------------------------------------------------------------------------
def test_site_list_shows_only_member_sites_with_role_and_flat_queries(
    site, other_site, admin_as, django_assert_max_num_queries
):
    client = admin_as("editor")
    response = client.get(SITES)
    assert response.status_code == 200
    assert [s.slug for s in response.context["cl"].result_list] == ["acme"]
    assert "globex" not in response.content.decode().lower()

    user = get_user_model().objects.get(username="editor-acme")
    for slug in ("beta", "gamma", "delta", "epsilon"):
        extra = build_site(slug, ("en",))
        Membership.objects.create(user=user, site=extra, role="owner")
        member(extra, f"{slug}-viewer", "viewer")
    client = logged_in(user)
    client.get(SITES)  # warm the content types / session
    with django_assert_max_num_queries(12):
        response = client.get(SITES)
    rows = {s.slug: (s.your_role, s.member_count) for s in response.context["cl"].result_list}
    assert rows == {
        "acme": ("editor", 1),
        "beta": ("owner", 2),
        "delta": ("owner", 2),
        "epsilon": ("owner", 2),
        "gamma": ("owner", 2),
    }


def test_owner_changes_site_settings_through_the_form(site, as_owner):
    page = as_owner.get(site_url(site))
    assert page.status_code == 200
    pairs = dict(rendered_form_post(page.content.decode(), "site_form"))
    assert pairs["name"] == "Acme" and pairs["default_locale"] == "en"
    assert "fr" in page.content.decode() and "/api/v1/locales" in page.content.decode()
    pairs.update(name="Acme Corp", default_locale="fr", timezone="Europe/Paris")
    pairs.pop("is_public", None)  # unticked
    response = as_owner.post(site_url(site), encode(list(pairs.items())), content_type=FORM)
    assert response.status_code == 302, errors_of(response)
    site.refresh_from_db()
    assert (site.name, site.default_locale, site.timezone, site.is_public) == ("Acme Corp", "fr", "Europe/Paris", False)


def test_bad_site_settings_are_shown_beside_their_field_and_nothing_changes(site, as_owner):
    body = {"name": "Acme", "default_locale": "de", "timezone": "UTC", "is_public": "on"}
    response = as_owner.post(site_url(site), body)
    assert response.status_code == 200
    assert "de" in errors_of(response)["default_locale"]  # not an enabled locale of the site
    response = as_owner.post(site_url(site), {**body, "default_locale": "fr", "timezone": "Mars/Olympus"})
    assert "Mars/Olympus" in errors_of(response)["timezone"]
    site.refresh_from_db()
    assert (site.default_locale, site.timezone) == ("en", "UTC")


def test_editor_sees_settings_read_only_and_a_forged_post_is_403(site, admin_as):
    client = admin_as("editor")
    page = client.get(site_url(site))
    assert page.status_code == 200
    controls = [name for name, _ in rendered_form_post(page.content.decode(), "site_form")]
    assert controls == ["csrfmiddlewaretoken"]  # nothing editable
    response = client.post(site_url(site), {"name": "Hacked", "default_locale": "en", "timezone": "UTC"})
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name == "Acme"


def test_another_teams_site_is_not_reachable(site, other_site, as_owner):
    assert as_owner.get(site_url(other_site)).status_code == 302  # "does not exist", nothing rendered
    response = as_owner.post(site_url(other_site), {"name": "Mine", "default_locale": "en", "timezone": "UTC"})
    assert response.status_code == 302
    other_site.refresh_from_db()
    assert other_site.name == "Globex"


def test_only_superusers_create_sites_with_the_create_site_rules(site, as_owner):
    add = reverse("admin:accounts_site_add")
    body = {"slug": "newco", "name": "NewCo", "locales": "en, fr, fr-CA", "default_locale": "", "timezone": "UTC"}
    assert as_owner.get(add).status_code == 403
    assert as_owner.post(add, body).status_code == 403
    assert not Site.objects.filter(slug="newco").exists()

    root = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    client = logged_in(root)
    refused = client.post(add, {**body, "slug": "acme"})
    assert refused.status_code == 200 and "already exists" in str(errors_of(refused))
    response = client.post(add, body)
    assert response.status_code == 302, errors_of(response)
    created = Site.objects.get(slug="newco")
    assert created.default_locale == "en"
    fallbacks = dict(SiteLocale.objects.filter(site=created).values_list("locale__code", "fallback__code"))
    assert fallbacks == {"en": None, "fr": None, "fr-CA": "fr"}


# -- members --------------------------------------------------------------------------------------------------
def test_owner_adds_an_existing_user_by_username(site, as_owner):
    get_user_model().objects.create_user("newbie")
    response = as_owner.post(ADD_MEMBER, {"site": site.pk, "username": "newbie", "role": "translator"})
    assert response.status_code == 302, errors_of(response)
    assert Membership.objects.get(site=site, user__username="newbie").role == "translator"

    unknown = as_owner.post(ADD_MEMBER, {"site": site.pk, "username": "ghost", "role": "editor"})
    assert "No user `ghost`" in errors_of(unknown)["username"]
    again = as_owner.post(ADD_MEMBER, {"site": site.pk, "username": "newbie", "role": "owner"})
    assert "already a member" in errors_of(again)["username"]
    assert Membership.objects.get(site=site, user__username="newbie").role == "translator"


def test_owner_cannot_add_members_to_a_site_they_do_not_own(site, other_site, as_owner):
    get_user_model().objects.create_user("newbie")
    response = as_owner.post(ADD_MEMBER, {"site": other_site.pk, "username": "newbie", "role": "editor"})
    assert "site" in errors_of(response)
    assert not Membership.objects.filter(site=other_site).exists()


def test_role_change_and_the_last_owner_rule(site, owner, editor_user, as_owner):
    mine = Membership.objects.get(user=owner, site=site)
    theirs = Membership.objects.get(user=editor_user, site=site)

    refused = as_owner.post(membership_url(mine), {"role": "editor"})
    assert refused.status_code == 200
    assert "last owner" in errors_of(refused)["role"]
    mine.refresh_from_db()
    assert mine.role == "owner"

    removed = as_owner.post(membership_url(mine, "delete"), {"post": "yes"}, follow=True)
    assert "last owner" in removed.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()

    assert as_owner.post(membership_url(theirs), {"role": "owner"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.role == "owner"
    # With a second owner, the first may step down.
    assert as_owner.post(membership_url(mine), {"role": "viewer"}).status_code == 302
    mine.refresh_from_db()
    assert mine.role == "viewer"


def test_removing_a_member_revokes_their_tokens_on_the_site(site, editor_user, as_owner):
    token, secret = token_create(user=editor_user, site=site, name="ci")
    membership = Membership.objects.get(user=editor_user, site=site)
    response = as_owner.post(membership_url(membership, "delete"), {"post": "yes"}, follow=True)
    assert "1 API token(s)" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(secret).get("/api/v1/site-blocks").json()["error"]["code"] == "token_revoked"


def test_editor_posting_to_owner_only_member_urls_gets_403_and_nothing_changes(site, owner, editor_user):
    client = logged_in(editor_user)
    get_user_model().objects.create_user("newbie")
    mine = Membership.objects.get(user=editor_user, site=site)
    boss = Membership.objects.get(user=owner, site=site)

    assert client.get(MEMBERS).status_code == 403
    assert client.post(ADD_MEMBER, {"site": site.pk, "username": "newbie", "role": "owner"}).status_code == 403
    assert client.post(membership_url(mine), {"role": "owner"}).status_code == 403
    assert client.post(membership_url(boss), {"role": "viewer"}).status_code == 403
    assert client.post(membership_url(boss, "delete"), {"post": "yes"}).status_code == 403

    roles = dict(Membership.objects.filter(site=site).values_list("user__username", "role"))
    assert roles == {"olivia": "owner", "eddie": "editor"}


def test_member_list_is_owner_scoped_with_flat_queries(
    site, other_site, owner, as_owner, django_assert_max_num_queries
):
    member(other_site, "stranger", "owner")
    for number in range(8):
        member(site, f"person{number}", ("editor", "viewer", "translator")[number % 3])
    as_owner.get(MEMBERS)
    with django_assert_max_num_queries(12):
        response = as_owner.get(MEMBERS)
    listed = {m.user.username for m in response.context["cl"].result_list}
    assert listed == {"olivia", *(f"person{n}" for n in range(8))}
    assert "stranger" not in response.content.decode()


# -- API tokens -----------------------------------------------------------------------------------------------
def issue(client, site, **fields):
    body = {"site": site.pk, "name": "ci", "scopes": ["read", "write", "publish"], **fields}
    return client.post(ADD_TOKEN, body)


def test_owner_issues_a_token_shown_once_that_works_on_the_api(site, editor_user, as_owner):
    response = issue(as_owner, site, user=editor_user.pk)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("cms_live_") and secret in response.content.decode()

    token = ApiToken.objects.get(user=editor_user, site=site)
    assert token.token_hash == hash_token(secret) and secret not in (token.display_prefix, token.name)
    assert token.scopes == ["read", "write", "publish"]

    # Never again: not on the list, the token's page, in a flashed message or in the session.
    for url in (TOKENS, reverse("admin:accounts_apitoken_change", args=[token.pk]), reverse("admin:index")):
        page = as_owner.get(url)
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert token.display_prefix in page.content.decode() or url == reverse("admin:index")
    assert secret not in str(dict(as_owner.session.items()))

    api = client_with(secret).get("/api/v1/site-blocks")
    assert api.status_code == 200, api.content
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_sixth_active_token_is_refused_in_the_form(site, editor_user, as_owner):
    for number in range(5):
        assert issue(as_owner, site, user=editor_user.pk, name=f"t{number}").context["secret"]
    refused = issue(as_owner, site, user=editor_user.pk, name="one too many")
    assert "secret" not in refused.context
    assert "already has 5 active tokens" in errors_of(refused)["__all__"]
    assert ApiToken.objects.filter(user=editor_user, site=site).count() == 5


def test_token_form_refuses_bad_input_beside_the_field(site, editor_user, as_owner):
    past = timezone.now() - timedelta(days=1)
    response = issue(
        as_owner,
        site,
        user=editor_user.pk,
        expires_at_0=past.strftime("%Y-%m-%d"),
        expires_at_1=past.strftime("%H:%M:%S"),
    )
    assert "future" in errors_of(response)["expires_at"]
    stranger = get_user_model().objects.create_user("stranger")
    response = issue(as_owner, site, user=stranger.pk)
    assert "user" in errors_of(response)  # not a member: not among the choices
    assert not ApiToken.objects.exists()


def test_expiring_token_is_listed_with_its_expiry(site, editor_user, as_owner):
    later = timezone.now() + timedelta(days=30)
    response = issue(
        as_owner, site, user=editor_user.pk, expires_at_0=later.strftime("%Y-%m-%d"), expires_at_1="12:00:00"
    )
    assert response.context["secret"]
    token = ApiToken.objects.get()
    assert token.expires_at.date() == later.date()


def test_a_viewer_issues_their_own_token_within_their_role(site, owner, admin_as):
    client = admin_as("viewer")
    page = client.get(ADD_TOKEN)
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()  # tokens for oneself only

    refused = issue(client, site, scopes=["read", "write"])
    assert "viewer cannot use write" in errors_of(refused)["scopes"]
    # A forged `user` field is ignored: the token is the viewer's own.
    response = issue(client, site, scopes=["read"], user=owner.pk)
    secret = response.context["secret"]
    token = ApiToken.objects.get(token_hash=hash_token(secret))
    assert token.user.username == "viewer-acme" and token.scopes == ["read"]
    assert client_with(secret).get("/api/v1/site-blocks").status_code == 200


def test_revoking_from_the_admin(site, owner, editor_user, as_owner):
    token, secret = token_create(user=editor_user, site=site, name="ci")
    revoke = reverse("admin:accounts_apitoken_revoke", args=[token.pk])
    assert as_owner.get(revoke).status_code == 200
    response = as_owner.post(revoke, follow=True)
    assert "Revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(secret).get("/api/v1/site-blocks").json()["error"]["code"] == "token_revoked"


def test_editor_can_revoke_only_their_own_tokens(site, owner, editor_user):
    bosses, boss_secret = token_create(user=owner, site=site, name="boss")
    mine, _ = token_create(user=editor_user, site=site, name="mine")
    client = logged_in(editor_user)

    assert client.get(reverse("admin:accounts_apitoken_change", args=[bosses.pk])).status_code == 403
    assert client.post(reverse("admin:accounts_apitoken_revoke", args=[bosses.pk])).status_code == 403
    # The bulk action only ever sees the editor's own tokens.
    client.post(TOKENS, {"action": "revoke_selected", "_selected_action": [bosses.pk, mine.pk]})
    bosses.refresh_from_db()
    mine.refresh_from_db()
    assert bosses.revoked_at is None and mine.revoked_at is not None
    assert client_with(boss_secret).get("/api/v1/site-blocks").status_code == 200


def test_token_list_scoping_statuses_and_flat_queries(
    site, other_site, owner, editor_user, as_owner, django_assert_max_num_queries
):
    token_create(user=member(other_site, "stranger", "owner"), site=other_site, name="theirs")
    for number in range(3):
        token_create(user=editor_user, site=site, name=f"ed{number}", scopes=["read"])
        token_create(user=owner, site=site, name=f"own{number}")
    expired, _ = token_create(
        user=editor_user, site=site, name="old", expires_at=timezone.now() + timedelta(seconds=30)
    )
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _ = token_create(user=owner, site=site, name="gone")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    as_owner.get(TOKENS)
    with django_assert_max_num_queries(12):
        response = as_owner.get(TOKENS)
    rows = response.context["cl"].result_list
    assert len(rows) == 8 and "theirs" not in response.content.decode()
    html = response.content.decode()
    assert "expired" in html and "revoked" in html and "read, write, publish" in html
    assert {t.name for t in as_owner.get(TOKENS, {"status": "active"}).context["cl"].result_list} == {
        "ed0",
        "ed1",
        "ed2",
        "own0",
        "own1",
        "own2",
    }

    editor_view = logged_in(editor_user).get(TOKENS)
    assert {t.name for t in editor_view.context["cl"].result_list} == {"ed0", "ed1", "ed2", "old"}
