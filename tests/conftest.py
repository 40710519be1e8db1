"""Shared fixtures: a site with locales, users with roles, API tokens and API clients that use them."""

from __future__ import annotations

import secrets
from contextlib import ExitStack

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.authentication import hash_token
from accounts.models import TOKEN_PREFIX, ApiToken, Membership, Site
from accounts.permissions import Actor
from cms.cacheguard import breaker
from cms.hooks import Hook
from delivery import cache as dcache
from locales.models import Locale, SiteLocale
from schema.sources import register_source, unregister_source

ALL_SCOPES = ("read", "write", "publish")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only when DATABASE_URL points at PostgreSQL."""

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def data_source():
    """Register data sources for one test: `data_source("weather", callable)`; removed again after it."""
    added: list[str] = []

    def add(name: str, source) -> None:
        register_source(name, source)
        added.append(name)

    yield add
    for name in added:
        unregister_source(name)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def build_site(slug: str = "acme", locales: tuple[str, ...] = ("en", "fr", "es"), default: str = "en") -> Site:
    site = Site.objects.create(name=slug.title(), slug=slug, default_locale=default)
    for code in locales:
        locale, _ = Locale.objects.get_or_create(code=code, defaults={"name": code})
        SiteLocale.objects.create(site=site, locale=locale)
    return site


def issue_token(site: Site, *, username: str, role: str = "editor", scopes=ALL_SCOPES) -> tuple[object, str]:
    """A user with `role` on `site` and a fresh token secret for them (the same shape the command makes)."""
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": username.title(), "last_name": "Doe"}
    )
    Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        site=site,
        name="test",
        token_hash=hash_token(secret),
        display_prefix=secret[:14],
        scopes=list(scopes),
    )
    return user, secret


def client_with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def site(db) -> Site:
    return build_site()


@pytest.fixture
def other_site(db) -> Site:
    return build_site("globex", ("en", "de"))


@pytest.fixture
def editor(site):
    return issue_token(site, username="jane", role="editor")


@pytest.fixture
def api(editor) -> APIClient:
    """An API client holding an editor token with every scope on `site`."""
    return client_with(editor[1])


@pytest.fixture
def actor(site, editor) -> Actor:
    return Actor(user=editor[0], site=site, role="editor")


@pytest.fixture
def make_client(site):
    """`make_client(role="viewer", scopes=("read",), site=other)` → an APIClient with a new token."""
    counter = iter(range(1000))

    def make(role: str = "editor", scopes=ALL_SCOPES, site_=None) -> APIClient:
        _, secret = issue_token(site_ or site, username=f"user{next(counter)}", role=role, scopes=scopes)
        return client_with(secret)

    return make


@pytest.fixture
def subscribe():
    """`subscribe(hook, fn)`: `fn` hears `hook` (after its real subscribers) for this test only."""
    with ExitStack() as stack:

        def add(hook: Hook, subscriber):
            return stack.enter_context(hook.subscribed(subscriber))

        yield add


@pytest.fixture
def swap():
    """`swap(hook, real, stand_in)`: `stand_in` takes `real`'s place on `hook` for this test only."""
    with ExitStack() as stack:

        def replace(hook: Hook, real, stand_in):
            return stack.enter_context(hook.swapped(real, stand_in))

        yield replace


def _clear_local_memory_cache() -> None:
    # Only the process-private cache is cleared wholesale: FLUSHDB on a shared Redis would hit other runs.
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    dcache.local_clear()


@pytest.fixture(autouse=True)
def clean_delivery_cache():
    """Every test starts with an empty delivery cache: a site re-created under the same slug (and, after a
    flush, the same id) must not meet the answers or site facts another test left behind."""
    _clear_local_memory_cache()
    yield
    _clear_local_memory_cache()


@pytest.fixture(autouse=True)
def cache_breaker_closed():
    """A test that makes the cache unreachable opens `cms.cacheguard.breaker`; the next test starts closed."""
    yield
    breaker.reset()
