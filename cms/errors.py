"""The application's error hierarchy: every failure a client can cause has a stable `code`.

Services raise these; `cms.api.exceptions.exception_handler` (and the Django 404/500 handlers) turn them,
and DRF's and Django's own exceptions, into the one envelope of docs/management-api.md "Errors":
`{"error": {"code", "message", "fields"?}}`. Nothing else in the project builds error JSON.
"""

from __future__ import annotations


class CmsError(Exception):
    code = "server_error"
    status = 500
    default_message = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None, headers=None):
        self.message = message or self.default_message
        self.fields = fields or None
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def as_envelope(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class BadRequest(CmsError):
    code, status, default_message = "bad_request", 400, "The request body is not a JSON object."


class Unauthenticated(CmsError):
    code, status, default_message = "unauthenticated", 401, "Missing or unknown API token."


class TokenRevoked(CmsError):
    code, status, default_message = "token_revoked", 401, "This API token was revoked or has expired."


class Forbidden(CmsError):
    code, status, default_message = "forbidden", 403, "You are not allowed to do this on this site."


class NotFound(CmsError):
    code, status, default_message = "not_found", 404, "Not found."


class MethodNotAllowed(CmsError):
    code, status, default_message = "method_not_allowed", 405, "Method not allowed."


class StaleWrite(CmsError):
    code, status = "stale_write", 409
    default_message = "The block changed since you read it (If-Match does not match its ETag). Reload and retry."


class Conflict(CmsError):
    code, status, default_message = "conflict", 409, "That already exists."


class ReleaseConflict(CmsError):
    code, status = "release_conflict", 409
    default_message = (
        "Blocks of this release changed after they were added: review them, or publish with acceptChanges."
    )


class ReviewRequired(CmsError):
    """The site reviews before publishing, and this exact state was not approved (docs/reviews.md)."""

    code, status = "review_required", 409
    default_message = (
        "This site reviews before publishing and this state is not approved: submit it for review, "
        "and publish once a reviewer approves it."
    )


class PayloadTooLarge(CmsError):
    code, status, default_message = "payload_too_large", 413, "The request body is over the size limit."


class UnsupportedMediaType(CmsError):
    """A body sent as anything but JSON (a form, text, no `Content-Type`): say what to send instead of
    guessing at it. The media uploads also take multipart (their views say so in the message)."""

    code, status = "unsupported_media_type", 415
    default_message = "Send the body as JSON with Content-Type: application/json."


class ValidationFailed(CmsError):
    code, status, default_message = "validation_failed", 422, "The request did not validate."


class ImmutableField(CmsError):
    code, status, default_message = "immutable_field", 422, "This field cannot be changed."


class RateLimited(CmsError):
    code, status, default_message = "rate_limited", 429, "Too many requests; retry after the window resets."


class ServerError(CmsError):
    pass


class ServiceUnavailable(CmsError):
    """The database could not be reached (or asked for the transaction to be run again): nothing was done, and
    the same request can be sent again (`Retry-After`). Never a 500: the request was not at fault, and a
    client that retries loses nothing."""

    code, status = "service_unavailable", 503
    default_message = "The service cannot reach its database right now; nothing was changed. Retry shortly."

    def __init__(self, message: str | None = None, **kwargs) -> None:
        kwargs.setdefault("headers", {"Retry-After": "5", "Cache-Control": "no-store"})
        super().__init__(message, **kwargs)


#: A 503 for a write whose COMMIT was under way when the connection went (`cms.db.during_commit`).
OUTCOME_UNKNOWN = (
    "The connection to the database was lost while the change was being committed: it may or may not have "
    "been saved. Read it again before you retry."
)


class ProviderError(CmsError):
    """A third-party service the request relies on (a machine translation provider) answered something we
    cannot use: nothing was written; the message says what it answered."""

    code, status, default_message = "provider_error", 502, "The provider's answer could not be used."


class ProviderUnavailable(CmsError):
    """A third-party service the request relies on could not be reached, timed out or is over its quota:
    nothing was written, and the same request can be sent again later."""

    code, status, default_message = "provider_unavailable", 503, "The provider cannot be reached right now."

    def __init__(self, message: str | None = None, **kwargs) -> None:
        kwargs.setdefault("headers", {"Retry-After": "30", "Cache-Control": "no-store"})
        super().__init__(message, **kwargs)


def error_text(error: CmsError) -> str:
    """A domain error as one line for a terminal: the message and each field to blame."""
    details = "; ".join(f"{field}: {message}" for field, message in (error.fields or {}).items())
    return f"{error.message} {details}".strip()
