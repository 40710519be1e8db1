"""Requests refused before any view runs, in the error envelope: oversized bodies, and NUL in the URL.

Django's own size check (`DATA_UPLOAD_MAX_MEMORY_SIZE`) answers 400 with an HTML page; the body-size
middleware runs first and answers from the declared `Content-Length`. Bodies without one are capped by the
JSON parser.
"""

from __future__ import annotations

from cms import errors, nul
from cms.api.exceptions import json_error_response
from cms.conf import body_limit


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return json_error_response(errors.BadRequest("Content-Length is not a number."))
        limit = body_limit(request.method, request.path)
        if length > limit:
            return json_error_response(errors.PayloadTooLarge(f"The request body is over the {limit} byte limit."))
        return self.get_response(request)


class NulInUrlMiddleware:
    """Refuse a NUL character (`%00`) anywhere in the URL with `bad_request`, naming the query parameters.

    PostgreSQL text cannot hold NUL, so a `%00` reaching a query (a delivery filter, a management search, the
    admin's search box or list filters) would fail in the database with a 500. One check here covers every
    view, ours and the admin's; the raw-string test keeps ordinary requests free of any scan.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" not in request.path and "%00" not in query and "\x00" not in query:
            return self.get_response(request)
        carrying = sorted(
            name.replace("\x00", "\\u0000")
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        )
        if "\x00" in request.path or carrying:
            fields = dict.fromkeys(carrying, nul.MESSAGE)
            response = json_error_response(
                errors.BadRequest("The URL contains a NUL character.", fields=fields or None)
            )
            # Readable by a frontend's script on another origin, as the delivery API's own errors are.
            response["Access-Control-Allow-Origin"] = "*"
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
