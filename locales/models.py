"""Locales and the locales a site enables.

`Locale` is the shared catalogue of codes (`en`, `fr`, `fr-CA`); `SiteLocale` says which of them a site
enables and which locale each falls back to when a block is missing (`fr-CA` → `fr` → the site default).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Locale(models.Model):
    code = models.CharField(max_length=35, unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SiteLocale(models.Model):
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="site_locales")
    locale = models.ForeignKey(Locale, on_delete=models.PROTECT, related_name="+")
    fallback = models.ForeignKey(Locale, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    is_enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "locale__code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "locale"], name="sitelocale_unique_site_locale"),
            models.CheckConstraint(condition=~Q(fallback=F("locale")), name="sitelocale_fallback_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.locale_id}"

    @property
    def fallback_code(self) -> str | None:
        """The code of the locale readers fall back to, None when there is none (join `fallback` first)."""
        return self.fallback.code if self.fallback is not None else None
