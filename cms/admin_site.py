"""The admin site is the editor UI: site members log in to it without Django's `is_staff` flag.

A membership (any role) is what grants entry; what a member may then see and do is decided per site by
`accounts.permissions` (see `editor.access`). Staff users keep the stock behaviour.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError


class MemberAuthenticationForm(AdminAuthenticationForm):
    """The admin login, open to site members as well as staff (the stock form wants `is_staff`)."""

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active or not (user.is_staff or user.memberships.exists()):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class CmsAdminSite(admin.AdminSite):
    site_header = "CMS"
    site_title = "CMS editor"
    index_title = "Content"
    login_form = MemberAuthenticationForm
    site_url = "/"  # "View site": the landing page (cms.landing), which links to the API docs and delivery

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_staff or user.memberships.exists()
