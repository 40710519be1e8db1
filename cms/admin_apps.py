"""The admin app with our site class (`cms.admin_site.CmsAdminSite`), kept apart so that loading the app
config imports no models."""

from django.contrib.admin.apps import AdminConfig


class CmsAdminConfig(AdminConfig):
    default_site = "cms.admin_site.CmsAdminSite"
