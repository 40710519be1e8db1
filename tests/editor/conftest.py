"""Admin fixtures: logged-in clients for members of a site with each role, and blocks made by the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Membership
from accounts.permissions import Actor
from blocks.services import block_create

LINKS_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "logo", "type": "image"},
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
]


def member(site, username: str, role: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password("pw-for-tests-1")
    user.save()
    Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_block(site, *, name="Header", type="global", locale=None, schema=None, data=None, path=None, tags=None):
    owner = member(site, f"maker-{site.slug}", "owner")
    return block_create(
        actor=Actor(user=owner, site=site, role="owner"),
        name=name,
        type=type,
        schema=LINKS_SCHEMA if schema is None else schema,
        data=data,
        path=path,
        locale=locale,
        tags=tags,
    )


@pytest.fixture
def admin_as(site):
    """`admin_as("viewer")` -> a test client logged in as a member of `site` with that role."""

    def make(role: str, site_=None):
        return logged_in(member(site_ or site, f"{role}-{(site_ or site).slug}", role))

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each test's call report on the item, so the browser fixture knows whether to save screenshots."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
