"""The page at `/`: where a newcomer lands after `make run` (and where the admin's "View site" points).

The API has no HTML, and an unknown URL is the JSON 404 of the envelope; `/` alone is a small static page
that links to the editor, the API's browsable documentation and a delivery example, so the first URL anyone
tries answers something useful. It needs no login and reads nothing from the database.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cms import errors
from cms.api.exceptions import json_error_response

# The demo site `make run` seeds (`manage.py seed_demo`); the landing page links to its header as the example.
DEMO_DELIVERY_EXAMPLE = "/api/v1/delivery/demo/blocks/header"


def landing(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return json_error_response(errors.MethodNotAllowed(f'Method "{request.method}" not allowed.'))
    return render(request, "cms/landing.html", {"delivery_example": DEMO_DELIVERY_EXAMPLE})
