"""The OpenAPI 3 document (drf-spectacular): what every operation shares, added in one place.

The document is generated from the views and serializers: each view method declares its request body (an
`InputSerializer`) and answers (output serializers, `envelope(...)`) with `extend_schema`, and its summary
and description are its docstring (`CmsAutoSchema`). This module adds what is the same everywhere, so an
endpoint added later is documented (and fuzzed) correctly without extra work:

- the bearer-token security scheme (`ApiTokenScheme`);
- the error envelope component and, on every operation, each error answer it can give (`postprocess`);
- the `RateLimit-*` headers on every management answer, `ETag` where a single block is answered;
- a generic `{"data": …}` success where a view declared none; request bodies written inline;
- canonical paths without the trailing slash the URL patterns also accept (`preprocess`).
"""

from __future__ import annotations

import copy
import inspect
import json
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from cms.api.serializers import InputSerializer

ERROR_CODES = [
    "bad_request",
    "unauthenticated",
    "token_revoked",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "stale_write",
    "conflict",
    "asset_in_use",
    "quota_exceeded",
    "payload_too_large",
    "unsupported_media_type",
    "validation_failed",
    "immutable_field",
    "invalid_bundle",
    "unsupported_bundle_version",
    "rate_limited",
    "sync_cursor_expired",
    "server_error",
    "service_unavailable",
]

ERROR_ENVELOPE = {
    "type": "object",
    "description": "Every error, from every layer, has this shape (docs/management-api.md, Errors).",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": ERROR_CODES},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": 'Where a value is to blame: `{"data.links[0].url": "message"}`.',
                    "additionalProperties": {"type": "string"},
                },
            },
        }
    },
}

COMPONENTS = {"schemas": {"ErrorEnvelope": ERROR_ENVELOPE}}


# Paths written out by hand (views drf-spectacular cannot see, like the delivery API's plain Django views).
EXTRA_PATHS: dict[str, dict] = {}


def register_components(schemas: dict[str, dict], *, with_etag: tuple[str, ...] = ()) -> None:
    """Named schemas written by hand (for the delivery API's plain views), added to the document's
    components; `with_etag` names the components answered with an `ETag` header."""
    COMPONENTS["schemas"].update(schemas)
    ETAG_SCHEMAS.update(with_etag)


def register_paths(paths: dict[str, dict]) -> None:
    """Operations to add to the document as given; `postprocess` still adds the shared error answers."""
    EXTRA_PATHS.update(paths)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(name: str, data: Any, *, meta: Any = None) -> serializers.Serializer:
    """The success shape of the API (docs/management-api.md), `{"data": …, "meta": …}`, as the component `name`."""
    fields = {"data": data} if meta is None else {"data": data, "meta": meta}
    return inline_serializer(name, fields)


class PageMetaSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    perPage = serializers.IntegerField()
    currentPage = serializers.IntegerField()
    lastPage = serializers.IntegerField()


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="1-based page; past the end is empty.")
    perPage = serializers.IntegerField(required=False, min_value=1, help_text="Page size, 15 by default, at most 100.")


def page_of(name: str, row: type[serializers.Serializer]) -> serializers.Serializer:
    """A page of `row`s with the pagination meta (`cms.api.pagination`)."""
    return envelope(name, row(many=True), meta=PageMetaSerializer())


def message_answer(name: str, message: str) -> serializers.Serializer:
    """`{"message": "Block deleted"}`, the answer of a delete."""
    return inline_serializer(name, {"message": serializers.ChoiceField(choices=[message])})


ERROR_DESCRIPTIONS = {
    "400": "`bad_request`: the body is not a JSON object, a query parameter is unknown or malformed, or "
    "`If-Match` is not a quoted ETag.",
    "401": "`unauthenticated` (missing or unknown token) or `token_revoked` (revoked or expired).",
    "403": "`forbidden`: the token's scopes or the user's role on the site do not allow it.",
    "404": "`not_found`: no such block (or revision, locale) in this site.",
    "405": "`method_not_allowed`.",
    "409": "`stale_write` (If-Match does not match the ETag), `conflict` (slug, path or copy taken), "
    "`quota_exceeded` (the site's media quota) or `asset_in_use` (an asset blocks use).",
    "413": "`payload_too_large`: the body (2 MiB by default), an uploaded file or an image's pixels over the limit.",
    "415": "`unsupported_media_type`: the body was not sent as `Content-Type: application/json`.",
    "422": "`validation_failed` or `immutable_field`; `fields` names each place.",
    "429": "`rate_limited`: the token's window is full; retry after `Retry-After` seconds.",
    "500": "`server_error`: no internals are ever shown.",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "429", "500")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "409", "413", "415", "422", "429", "500")
PUBLIC_ERRORS = ("400", "401", "403", "404", "405", "500")

RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"description": "Requests allowed in the window (reads and writes apart).", "integer": True},
    "RateLimit-Remaining": {"description": "Requests left in the current window.", "integer": True},
    "RateLimit-Reset": {"description": "Seconds until the window resets.", "integer": True},
}
ETAG_HEADER = {"ETag": {"description": 'The block\'s version, `"<id>-<version>"`: send it back in `If-Match`.'}}
# Components whose answers carry an `ETag` (single-resource answers); apps add theirs.
ETAG_SCHEMAS: set[str] = set()

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read. A stale one is 409 `stale_write` and changes nothing; `*` or none skips it.",
)
LOCALE = OpenApiParameter(
    "locale", str, OpenApiParameter.QUERY, required=False, description="The locale copy addressed (default: site's)."
)
SITE = OpenApiParameter(
    "site",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="Admin session access: the site's slug. Tokens act on their own site; naming another is `bad_request`.",
)

GENERIC_SUCCESS = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {}, "meta": {"type": "object"}},
}


class CmsAutoSchema(AutoSchema):
    """The management views' operations as drf-spectacular generates them, with our conventions:

    - summary and description come from the view *method's* own docstring (first line, then the rest), never
      from a class docstring (a mixin's would be inherited by every view using it);
    - every operation takes `?site=`; views addressing a block's locale copy (`locale_addressed`) take
      `?locale=`, and writes of views that honour `If-Match` (`honours_if_match`) document the header;
    - the tag is the view's `openapi_tag`; an operation declares its body and answers with `extend_schema`
      (nothing is guessed from a `serializer_class`, which our views do not have);
    - an `InputSerializer` body refuses keys it does not name: `additionalProperties: false`.
    """

    def _method_doc(self) -> tuple[str, str]:
        method = getattr(self.view, self.method.lower(), None)
        doc = inspect.cleandoc(method.__doc__) if method is not None and method.__doc__ else ""
        summary, _, description = doc.partition("\n\n")
        return " ".join(summary.split()), description.strip()

    def get_summary(self) -> str | None:
        return self._method_doc()[0] or None

    def get_description(self) -> str:  # type: ignore[override]
        return self._method_doc()[1]

    def get_tags(self) -> list[str]:
        tag = getattr(self.view, "openapi_tag", None)
        return [tag] if tag else super().get_tags()

    def get_override_parameters(self) -> list:
        parameters = [SITE]
        if getattr(self.view, "locale_addressed", False):
            parameters.insert(0, LOCALE)
        if getattr(self.view, "honours_if_match", False) and self.method not in {"GET", "HEAD", "OPTIONS"}:
            parameters.append(IF_MATCH)
        return parameters

    def _get_serializer(self) -> None:
        return None

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        own_doc = type(force_instance(serializer)).__dict__.get("__doc__")
        schema.pop("description", None)
        if own_doc:
            schema["description"] = inspect.cleandoc(own_doc)
        if isinstance(force_instance(serializer), InputSerializer):
            schema["additionalProperties"] = False
        return schema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer cms_live_…` (from `manage.py create_api_token`).",
        }


def preprocess(endpoints):
    """Document each path once, as the reference writes it: `/api/v1/site-blocks/{slug}`, no trailing slash."""
    seen = set()
    kept = []
    for path, path_regex, method, callback in endpoints:
        canonical = path.rstrip("/") if path != "/" else path
        if (canonical, method) in seen:
            continue
        seen.add((canonical, method))
        kept.append((canonical, path_regex, method, callback))
    return kept


def _header_objects(headers: dict) -> dict:
    return {
        name: {"schema": {"type": "integer" if spec.get("integer") else "string"}, "description": spec["description"]}
        for name, spec in headers.items()
    }


def postprocess(result, generator, request, public):
    """Add the shared answers (errors, headers) to every operation, and the hand-written paths."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS["schemas"])
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    result.setdefault("paths", {}).update(copy.deepcopy(EXTRA_PATHS))
    for path, operations in result.get("paths", {}).items():
        public_api = "/delivery/" in path
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operation.setdefault("summary", f"{method.upper()} {path}")
            responses = operation.setdefault("responses", {})
            success = [code for code in responses if code.startswith("2")]
            for code in success:
                answer = responses[code]
                content = answer.setdefault("content", {})
                if not public_api:
                    answer.setdefault("headers", {}).update(_header_objects(RATE_LIMIT_HEADERS))
                if content and "application/json" not in content:
                    continue  # an answer that is not JSON (`site-blocks/types.ts`): documented as the view says
                json_content = content.setdefault("application/json", {})
                if not json_content.get("schema"):
                    json_content["schema"] = GENERIC_SUCCESS
                for other in [media for media in content if media != "application/json"]:
                    del content[other]
                if json_content["schema"].get("$ref", "").rpartition("/")[2] in ETAG_SCHEMAS:
                    answer.setdefault("headers", {}).update(_header_objects(ETAG_HEADER))
            if "requestBody" in operation:
                _inline_body(operation["requestBody"], result)
                body_content = operation["requestBody"].get("content", {})
                for media in [media for media in body_content if media != "application/json"]:
                    del body_content[media]
            if public_api:
                codes = PUBLIC_ERRORS
            else:
                codes = READ_ERRORS if method == "get" else WRITE_ERRORS
            for code in codes:
                if code in responses:
                    continue
                answer = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error_ref}},
                }
                if code == "429":
                    answer["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
                        **_header_objects(RATE_LIMIT_HEADERS),
                    }
                responses[code] = answer
    _drop_unreferenced_request_components(result)
    return result


def _inline_body(request_body: dict, result: dict) -> None:
    """Request bodies are written inline (clients and the fuzzer read them at the operation)."""
    for media in request_body.get("content", {}).values():
        name = media.get("schema", {}).get("$ref", "").rpartition("/")[2]
        if name:
            media["schema"] = copy.deepcopy(result["components"]["schemas"][name])


def _drop_unreferenced_request_components(result: dict) -> None:
    schemas = result["components"]["schemas"]
    text = json.dumps(result["paths"]) + json.dumps(schemas)
    for name in [name for name in schemas if name.endswith("Request")]:
        if f'"#/components/schemas/{name}"' not in text:
            del schemas[name]
