"""The admin site is the editor UI: site members log in to it without Django's `is_staff` flag.

A membership (any role) is what grants entry; what a member may then see and do is decided per site by
`accounts.permissions` (see `blocks.editor.access`). Staff users keep the stock behaviour.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class CmsAdminSite(admin.AdminSite):
    site_header = "CMS"
    site_title = "CMS editor"
    index_title = "Content"

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_staff or user.memberships.exists()


class CmsAdminConfig(AdminConfig):
    default_site = "cms.admin_site.CmsAdminSite"
