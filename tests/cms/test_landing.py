"""`/` (issue 21): a small HTML page linking to the admin, the API docs and a delivery example, where a JSON
404 used to be; the admin's "View site" leads there. Other unknown URLs keep the JSON envelope."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_root_is_a_landing_page_with_the_links_a_newcomer_needs(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert {"/admin/", "/api/v1/docs/", "/api/v1/delivery/demo/blocks/header"} <= links(html)
    assert client.head("/").status_code == 200


def test_every_link_of_the_landing_page_answers(client, admin_client):
    from_admin = {"/admin/": admin_client}  # the admin's index wants a login; the rest are public
    for href in links(client.get("/").content.decode()) - {"/api/v1/delivery/demo/blocks/header"}:
        response = from_admin.get(href, client).get(href)
        assert response.status_code == 200, href


def test_a_write_to_root_is_the_json_405_and_other_urls_the_json_404(client):
    response = client.post("/", {"a": 1})
    assert (response.status_code, response.json()) == (
        405,
        {"error": {"code": "method_not_allowed", "message": 'Method "POST" not allowed.'}},
    )
    response = client.get("/nothing-here")
    assert (response.status_code, response.json()) == (404, {"error": {"code": "not_found", "message": "No such URL."}})


def test_the_admins_view_site_link_goes_to_the_landing_page(admin_client):
    html = admin_client.get("/admin/").content.decode()
    found = re.search(r'<a href="([^"]+)">View site</a>', html)
    assert found is not None and found.group(1) == "/"
    response = admin_client.get(found.group(1))
    assert response.status_code == 200 and b"/api/v1/docs/" in response.content
