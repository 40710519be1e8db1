"""Numbers read from URLs and query strings are ASCII digits: "³" or "٣" pass `str.isdigit()` but not `int()`,
and once gave a 500 (found by the fuzzer on `PATCH /api/v1/webhooks/%C2%B3`). Each is now the ordinary
refusal, in the envelope."""

from __future__ import annotations

import pytest

from cms.digits import is_decimal, parse_decimal
from tests.conftest import client_with, issue_token

NOT_DECIMAL = ["³", "٣", "\uff11", "1²", "", "-1", "+1", " 1", "1.0", "9" * 19]


@pytest.mark.parametrize("text", NOT_DECIMAL)
def test_only_ascii_digits_are_decimal(text):
    assert not is_decimal(text)
    assert parse_decimal(text) is None


def test_ascii_digits_parse():
    assert parse_decimal("0") == 0
    assert parse_decimal("9" * 18) == 10**18 - 1
    assert parse_decimal("12", max_digits=1) is None


@pytest.mark.parametrize("raw", ["%C2%B3", "%D9%A3", "99999999999999999999"])
def test_webhook_id_that_is_no_ascii_number_is_not_found(site, raw):
    _, secret = issue_token(site, username="olivia", role="owner")
    owner = client_with(secret)
    response = owner.patch(f"/api/v1/webhooks/{raw}", {"isActive": False}, format="json")
    assert response.status_code == 404, response.content
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["message"].startswith("No webhook ")
    assert set(body) == {"error"}


@pytest.mark.parametrize("page", ["³", "٣", "\uff11"])
@pytest.mark.parametrize("url", ["/api/v1/site-blocks", "/api/v1/delivery/acme/blocks"])
def test_page_that_is_no_ascii_number_is_refused(api, url, page):
    response = api.get(url, {"page": page})
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {
            "code": "bad_request",
            "message": "`page` must be a positive integer.",
            "fields": {"page": "Must be a positive integer."},
        }
    }
