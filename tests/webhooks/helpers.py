"""What the webhook tests share: a site with an owner token and one block, and adding a webhook through the API."""

from __future__ import annotations

from tests.conftest import build_site, client_with, issue_token

SCHEMA = [{"name": "title", "type": "string", "required": True}]


def site_with_block():
    """A site, its owner and an API client for them, and a global block `hero` made through the API."""
    site = build_site()
    user, secret = issue_token(site, username="olive", role="owner")
    api = client_with(secret)
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"title": "Hi"}},
        format="json",
    )
    assert created.status_code == 201
    return site, user, api


def add_hook(api, url: str, **extra) -> dict:
    response = api.post("/api/v1/webhooks", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]
