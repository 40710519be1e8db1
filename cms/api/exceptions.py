"""One exception handler: every error from every layer leaves as the envelope of docs/management-api.md.

DRF calls `exception_handler` for exceptions raised in API views; `cms.urls` wires the Django-level 404 and
500 handlers to `json_error_response` so unknown URLs and crashes outside DRF answer the same way.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.urls import Resolver404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from cms import db, errors
from cms.api.renderers import dumps

logger = logging.getLogger("cms.api")


def flatten_drf_detail(detail, prefix: str = "") -> dict[str, str]:
    """Flatten DRF's nested validation detail into `{"path.to[0].field": "message"}`."""
    flat: dict[str, str] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key == "non_field_errors":
                path = prefix or "body"
            else:
                path = f"{prefix}.{key}" if prefix else key
            flat.update(flatten_drf_detail(value, path))
    elif isinstance(detail, list):
        if detail and all(not isinstance(item, (dict, list)) for item in detail):
            flat[prefix or "body"] = " ".join(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_drf_detail(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "body"] = str(detail)
    return flat


def to_cms_error(exc: Exception) -> errors.CmsError:
    """Translate any exception into our hierarchy; unknown ones become a bare `server_error`."""
    if isinstance(exc, errors.CmsError):
        return exc
    if isinstance(exc, drf.ValidationError):
        return errors.ValidationFailed(fields=flatten_drf_detail(exc.detail))
    if isinstance(exc, drf.ParseError):
        return errors.BadRequest(str(exc.detail))
    if isinstance(exc, drf.UnsupportedMediaType):
        return errors.UnsupportedMediaType()
    if isinstance(exc, drf.NotAcceptable):
        return errors.BadRequest(str(exc.detail))
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return errors.Unauthenticated()
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return errors.Forbidden()
    if isinstance(exc, (drf.NotFound, Http404)):
        return errors.NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return errors.MethodNotAllowed(str(exc.detail))
    if isinstance(exc, drf.Throttled):
        # `wait` is set by `Throttled.__init__`; djangorestframework-stubs does not declare it.
        headers = {"Retry-After": str(int(exc.wait or 1))}  # type: ignore[attr-defined]
        return errors.RateLimited(headers=headers)
    if isinstance(exc, drf.APIException) and exc.status_code == 413:
        return errors.PayloadTooLarge()
    return unexpected_error(exc, "Unhandled error in an API view")


def unexpected_error(exc: BaseException, what: str) -> errors.CmsError:
    """An exception no layer turned into a domain error: a database outage is 503 `service_unavailable` (the
    request can simply be sent again), anything else is our bug, logged with `what`, and a bare 500."""
    if db.is_outage(exc):
        logger.warning("%s: database unavailable (%s)", what, db.describe(exc))
        return errors.ServiceUnavailable(errors.OUTCOME_UNKNOWN if db.during_commit(exc) else None)
    logger.exception(what, exc_info=exc)
    return errors.ServerError()


# What a 415 asks for on the views that also take a file upload as multipart (the media uploads).
MULTIPART_HINT = "Send the body as JSON with Content-Type: application/json, or the file as multipart/form-data."


def exception_handler(exc: Exception, context: dict) -> Response:
    error = to_cms_error(exc)
    view = context.get("view")
    multipart = view is not None and any(parser.media_type.startswith("multipart/") for parser in view.get_parsers())
    if isinstance(error, errors.UnsupportedMediaType) and multipart:
        error = errors.UnsupportedMediaType(MULTIPART_HINT)
    response = Response(error.as_envelope(), status=error.status, headers=error.headers or None)
    response.exception = True
    return response


def json_error_response(error: errors.CmsError) -> HttpResponse:
    """The envelope as a plain Django response, for layers below DRF (middleware, URL resolver)."""
    response = HttpResponse(dumps(error.as_envelope()), status=error.status, content_type="application/json")
    for name, value in error.headers.items():
        response[name] = value
    return response


def handler404(request, exception=None) -> HttpResponse:
    unknown_url = exception is None or isinstance(exception, Resolver404)
    return json_error_response(errors.NotFound("No such URL." if unknown_url else None))


def handler500(request) -> HttpResponse:
    """Django calls this inside its `except` block, so the exception is at hand: a database outage (raised in a
    plain view such as delivery's, the admin, or a middleware) is the 503 `service_unavailable`, not a 500."""
    exc = sys.exc_info()[1]
    if exc is not None and db.is_outage(exc):  # Django has logged it already
        response = json_error_response(
            errors.ServiceUnavailable(errors.OUTCOME_UNKNOWN if db.during_commit(exc) else None)
        )
        response["Access-Control-Allow-Origin"] = "*"  # a frontend's script may read it, as delivery's errors
        return response
    return json_error_response(errors.ServerError())


def handler400(request, exception=None) -> HttpResponse:
    return json_error_response(errors.BadRequest("The request could not be read."))


def handler403(request, exception=None) -> HttpResponse:
    return json_error_response(errors.Forbidden())
