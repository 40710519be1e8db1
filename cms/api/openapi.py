"""The OpenAPI 3 document (drf-spectacular): what every operation shares, added in one place.

Views describe their own bodies with `extend_schema` (see `blocks/api/openapi.py`). This module adds what
is the same everywhere, so an endpoint added later is documented (and fuzzed) correctly without extra work:

- the bearer-token security scheme (`ApiTokenScheme`);
- the error envelope component and, on every operation, each error answer it can give (`postprocess`);
- the `RateLimit-*` headers on every management answer, `ETag` where a single block is answered;
- a generic `{"data": …}` success and a JSON-object request body where a view declared none;
- canonical paths without the trailing slash the URL patterns also accept (`preprocess`).
"""

from __future__ import annotations

import copy

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

ERROR_CODES = [
    "bad_request",
    "unauthenticated",
    "token_revoked",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "stale_write",
    "conflict",
    "payload_too_large",
    "validation_failed",
    "immutable_field",
    "rate_limited",
    "server_error",
]

ERROR_ENVELOPE = {
    "type": "object",
    "description": "Every error, from every layer, has this shape (API.md).",
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


# operationId -> JSON Schema of the request body (None: the operation takes no body).
REQUEST_BODIES: dict[str, dict | None] = {}
NO_BODY = None


def register_components(schemas: dict[str, dict], *, with_etag: tuple[str, ...] = ()) -> None:
    """Named schemas an app's `extend_schema` docs refer to with `$ref` (added to the document's components);
    `with_etag` names those answered with an `ETag` header."""
    COMPONENTS["schemas"].update(schemas)
    ETAG_SCHEMAS.update(with_etag)


# Paths written out by hand (views drf-spectacular cannot see, like the delivery API's plain Django views).
EXTRA_PATHS: dict[str, dict] = {}


def register_paths(paths: dict[str, dict]) -> None:
    """Operations to add to the document as given; `postprocess` still adds the shared error answers."""
    EXTRA_PATHS.update(paths)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(operation_id: str, *, tag: str, request=NO_BODY, **kwargs):
    """`extend_schema` for one operation, with a stable operationId and its request body as raw JSON Schema.

    drf-spectacular wants serializers for bodies; ours are read by plain functions, so their JSON Schema is
    kept here and put in place by `postprocess`.
    """
    REQUEST_BODIES[operation_id] = request
    return extend_schema(operation_id=operation_id, tags=[tag], request=None, **kwargs)


def answer(schema: dict, description: str) -> OpenApiResponse:
    return OpenApiResponse(response=schema, description=description)


def data_of(schema: dict, *, meta: dict | None = None) -> dict:
    """`{"data": schema, "meta": meta}`, the success shape of API.md."""
    properties = {"data": schema}
    if meta is not None:
        properties["meta"] = meta
    return {"type": "object", "required": list(properties), "properties": properties}


def body(properties: dict, required: list[str] | None = None) -> dict:
    """A JSON object request body with exactly these keys (others are refused with `validation_failed`)."""
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


def query(name: str, kind=str, description: str = "", required: bool = False, **extra) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=required, description=description, **extra)


ERROR_DESCRIPTIONS = {
    "400": "`bad_request`: the body is not a JSON object, or a query parameter is unknown or malformed.",
    "401": "`unauthenticated` (missing or unknown token) or `token_revoked` (revoked or expired).",
    "403": "`forbidden`: the token's scopes or the user's role on the site do not allow it.",
    "404": "`not_found`: no such block (or revision, locale) in this site.",
    "405": "`method_not_allowed`.",
    "409": "`stale_write` (If-Match does not match the ETag) or `conflict` (slug, path or copy taken).",
    "413": "`payload_too_large`: the body is over the limit (2 MiB by default).",
    "422": "`validation_failed` or `immutable_field`; `fields` names each place.",
    "429": "`rate_limited`: the token's window is full; retry after `Retry-After` seconds.",
    "500": "`server_error`: no internals are ever shown.",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "429", "500")
WRITE_ERRORS = ("400", "401", "403", "404", "405", "409", "413", "422", "429", "500")
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
    description="Admin session access only: the site's slug (tokens always act on their own site).",
)

GENERIC_SUCCESS = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {}, "meta": {"type": "object"}},
}
GENERIC_BODY = {"type": "object", "additionalProperties": True}


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
    """Add the shared answers (errors, headers, generic bodies) to every operation that lacks them."""
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
                json_content = content.setdefault("application/json", {})
                if not json_content.get("schema"):
                    json_content["schema"] = GENERIC_SUCCESS
                for other in [media for media in content if media != "application/json"]:
                    del content[other]
                if not public_api:
                    answer.setdefault("headers", {}).update(_header_objects(RATE_LIMIT_HEADERS))
                if json_content["schema"].get("$ref", "").rpartition("/")[2] in ETAG_SCHEMAS:
                    answer.setdefault("headers", {}).update(_header_objects(ETAG_HEADER))
            operation_id = operation.get("operationId")
            if operation_id in REQUEST_BODIES:
                operation.pop("requestBody", None)
                if REQUEST_BODIES[operation_id] is not None:
                    schema = REQUEST_BODIES[operation_id]
                    operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
            elif method in {"post", "put", "patch"} and "requestBody" not in operation:
                operation["requestBody"] = {"content": {"application/json": {"schema": GENERIC_BODY}}}
            if "requestBody" in operation:
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
    return result
