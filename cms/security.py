"""The admin's two browser-facing guards: a Content-Security-Policy, and the page shown to a locked-out login.

- `AdminCSPMiddleware` sends django-csp's policy (`CONTENT_SECURITY_POLICY` in settings: no inline script,
  `script-src 'self'`) on the admin's pages only. The APIs answer JSON that no browser runs, and the delivery
  API's hot path is spared the header; the editor's scripts are static files (`editor/static/editor/`), with
  values handed over in data attributes, never inline `<script>` or `onclick=`.
- `login_locked_out` is django-axes' `AXES_LOCKOUT_CALLABLE`: after `AXES_FAILURE_LIMIT` failed logins for one
  user name from one address, the login page says so and for how long (HTTP 429), in the admin's own frame.
"""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from csp.middleware import CSPMiddleware
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

ADMIN_PREFIX = "/admin/"


class AdminCSPMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response):
        if not request.path.startswith(ADMIN_PREFIX):
            return response
        return super().process_response(request, response)


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": minutes,
    }
    response = TemplateResponse(request, "admin/login_locked.html", context, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response.render()
