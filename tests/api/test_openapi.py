"""The OpenAPI document covers every management route, the docs page works offline, and fuzzing the API
from its own document (schemathesis) finds no 5xx and no answer outside what the document says.

The fuzz run covers every operation of the generated document, so endpoints added later are fuzzed without
touching this file. `CMS_FUZZ_EXAMPLES` sets the examples per operation and generation mode (positive and
negative data); the default keeps the suite fast, `CMS_FUZZ_EXAMPLES=150` runs a few hundred per endpoint.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import jsonschema
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from blocks.models import SiteBlock
from cms.api.openapi import ERROR_ENVELOPE
from tests.api.routes import site_api_routes
from tests.conftest import client_with, issue_token

pytestmark = pytest.mark.django_db
FUZZ_EXAMPLES = int(os.environ.get("CMS_FUZZ_EXAMPLES", "3"))
FUZZ_SCHEMA = [
    {"name": "title", "type": "string", "label": "Title", "required": True},
    {"name": "body", "type": "richtext", "label": "Body"},
    {"name": "links", "type": "array", "items": {"type": "object", "fields": [{"name": "url", "type": "url"}]}},
    {"name": "accent", "type": "color", "localized": False},
]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_document_lists_every_management_route_with_errors_and_headers(client):
    doc = document(client)
    assert doc["openapi"].startswith("3.")
    operations = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for route in site_api_routes():
        path = re.sub(r"/1(?=/|$)", "/{x}", route.url("x").split("?")[0]).replace("/x", "/{slug}").rstrip("/")
        templated = {(re.sub(r"\{[^}]+\}", "{}", p), m) for p, m in operations}
        for method in route.methods:
            assert (re.sub(r"\{[^}]+\}", "{}", path), method) in templated, (route.name, method)
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert doc["components"]["schemas"]["ErrorEnvelope"] == ERROR_ENVELOPE
    assert doc["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, operation in ops.items():
            responses = operation["responses"]
            assert operation.get("summary"), (path, method)
            for code in ("400", "401", "404", "500"):
                assert responses[code]["content"]["application/json"]["schema"] == envelope, (path, method, code)
            success = [code for code in responses if code.startswith("2")]
            # JSON, but for a file answer (the site bundle's zip), which has its own one media type
            assert all(len(responses[c]["content"]) == 1 for c in success), (path, method)
            assert all("schema" in next(iter(responses[c]["content"].values())) for c in success)
            # Every operation answers something on success: a JSON body, or (a delivery rendition) a redirect.
            redirects = [code for code in responses if code.startswith("3") and code != "304"]
            assert success or ("/delivery/" in path and redirects and "Location" in responses[redirects[0]]["headers"])
            if "/delivery/" not in path:
                assert "429" in responses and "RateLimit-Remaining" in responses[success[0]]["headers"]
    create = doc["paths"]["/api/v1/site-blocks"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name", "type"]
    assert "requestBody" not in doc["paths"]["/api/v1/site-blocks/{slug}/publish"]["post"]


def test_docs_page_works_offline(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the docs page must not load anything from a CDN"
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@contextmanager
def connection_kept():
    """Requests go through the real WSGI handler, which closes the database connection at each request's end
    when it is inside a transaction (it is: the test's). Django's test client switches that off around each
    of its requests (and back on after); we do the same around ours."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_target(site):
    """A site with an owner token, a published block `fuzz` with a French copy, and a revision to point at."""
    _, secret = issue_token(site, username="fuzzer", role="owner")
    api = client_with(secret)

    def ensure_block(published: bool = False) -> None:
        """The block exists again after a fuzzed delete; `published` re-publishes it after a fuzzed unpublish,
        so the delivery operations also meet real answers to check against the document."""
        block = SiteBlock.objects.filter(site=site, slug="fuzz", locale=site.default_locale).first()
        if block is None:
            body = {"name": "Fuzz", "type": "global", "schema": FUZZ_SCHEMA, "data": {"title": "Hello"}}
            assert api.post("/api/v1/site-blocks", body, format="json").status_code == 201
            api.post("/api/v1/site-blocks/fuzz/publish")
        elif published and block.status != "published":
            api.put("/api/v1/site-blocks/fuzz/data?publish=true", {"data": {"title": "Hello"}}, format="json")

    ensure_block()
    return secret, ensure_block, site.slug


def validate_answer(case, response) -> None:
    """No 5xx, a documented status and content type, a body matching the document; errors in the envelope."""
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        content_type = {name.lower(): value for name, value in response.headers.items()}["content-type"]
        assert "application/json" in str(content_type), case.as_curl_command()
        jsonschema.validate(response.json(), ERROR_ENVELOPE)


def test_fuzz_every_operation_from_the_openapi_document(fuzz_target):
    secret, ensure_block, site_slug = fuzz_target
    with connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    headers = {"Authorization": f"Bearer {secret}"}

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=FUZZ_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), real_block=st.booleans())
            def run(case, real_block):
                ensure_block(published=real_block and "/delivery/" in case.path)
                if real_block and case.path_parameters:
                    if "slug" in case.path_parameters:
                        case.path_parameters["slug"] = "fuzz"
                    if "site" in case.path_parameters:  # the delivery API names the site in its path
                        case.path_parameters["site"] = site_slug
                with connection_kept():
                    response = case.call(headers=headers)
                validate_answer(case, response)

            run()
