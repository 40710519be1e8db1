"""Sites, memberships (a user's role on a site) and API tokens.

A site is the tenant: every block, locale and token belongs to one. The role on the site caps what a user
(and any token of theirs) may do; see `accounts.roles`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    TRANSLATOR = "translator", "Translator"
    VIEWER = "viewer", "Viewer"


class Site(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    default_locale = models.CharField(max_length=35, default="en")
    timezone = models.CharField(max_length=64, default="UTC")
    is_public = models.BooleanField(default=True, help_text="Public sites serve the delivery API without a token.")
    preview_url = models.CharField(
        max_length=500,
        blank=True,
        default="",
        help_text="The frontend's preview route, e.g. https://www.example.com/api/preview?slug={slug}&locale={locale}"
        "&token={token}. Empty: the admin's built-in preview.",
    )
    # Review before publish (docs/reviews.md): only states a reviewer approved may go live on this site.
    review_required = models.BooleanField(
        default=False,
        help_text="Review before publish: only a state a reviewer approved can be published (by hand, in a release "
        "or on schedule).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EDITOR)
    # Reviewer (docs/reviews.md): may approve or request changes on review requests, whatever the role; owners
    # always may. A flag beside the role, not a fifth role: an editor or a translator can be a reviewer too.
    is_reviewer = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_unique_user_site"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.site} ({self.role})"


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    PUBLISH = "publish", "Publish"
    PREVIEW = "preview", "Preview"


TOKEN_PREFIX = "cms_live_"
MAX_TOKEN_NAME_LENGTH = 100


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A bearer token acting for one user on one site. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=MAX_TOKEN_NAME_LENGTH, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    display_prefix = models.CharField(max_length=20, help_text="The first characters, to recognise a token.")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "site"], name="apitoken_user_site")]

    def __str__(self) -> str:
        return f"{self.display_prefix}… ({self.name or 'unnamed'})"
