"""Refuse oversized bodies before anything reads them, with a 413 in the error envelope.

Django's own check (`DATA_UPLOAD_MAX_MEMORY_SIZE`) answers 400 with an HTML page; this middleware runs
first and answers from the declared `Content-Length`. Bodies without one are capped by the JSON parser.
"""

from __future__ import annotations

from cms import errors
from cms.api.exceptions import json_error_response
from cms.conf import cms_setting


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return json_error_response(errors.BadRequest("Content-Length is not a number."))
        limit = cms_setting("MAX_BODY_BYTES")
        if length > limit:
            return json_error_response(errors.PayloadTooLarge(f"The request body is over the {limit} byte limit."))
        return self.get_response(request)
