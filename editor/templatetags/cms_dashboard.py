"""`{% dashboard_panels as panels %}`: the admin index's panels with rows for the request's user
(`editor.dashboard`)."""

from __future__ import annotations

from django import template

from editor.access import site_roles
from editor.dashboard import Viewer, panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_panels(context) -> list:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    roles = site_roles(request)
    return panels_for(Viewer(user=request.user, roles=roles)) if roles else []
