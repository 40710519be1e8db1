"""Errors below DRF (unknown URL, oversized or hostile bodies) leave in the one envelope."""

import pytest


@pytest.mark.django_db
def test_unknown_url_is_not_found_envelope(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "No such URL."}}


@pytest.mark.django_db
def test_declared_body_over_limit_is_413_envelope(client):
    response = client.generic(
        "POST", "/api/v1/site-blocks", b"{}", content_type="application/json", CONTENT_LENGTH=str(3 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
