"""DRF authentication with `Authorization: Bearer cms_live_…` tokens.

The secret is hashed (SHA-256) and looked up in one query that also brings the user, the site and the
user's role on that site, so authorising a request costs a single query. `last_used_at` is written at most
once a minute per token, to keep the read path free of writes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from accounts.models import TOKEN_PREFIX, ApiToken, Membership
from cms import errors

LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def find_token(secret: str) -> ApiToken | None:
    role = Membership.objects.filter(user=OuterRef("user"), site=OuterRef("site")).values("role")[:1]
    return (
        ApiToken.objects.select_related("user", "site")
        .annotate(member_role=Subquery(role))
        .filter(token_hash=hash_token(secret))
        .first()
    )


def secret_from_header(header: str) -> str | None:
    """The bearer secret of an `Authorization` header, or None when none was sent; a malformed header or a
    secret that cannot be one of ours is `unauthenticated` before any lookup (shared with the delivery API)."""
    if not header:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise errors.Unauthenticated("Send the token as `Authorization: Bearer cms_live_…`.")
    secret = parts[1]
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise errors.Unauthenticated()
    return secret


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        secret = secret_from_header(request.META.get("HTTP_AUTHORIZATION", ""))
        if secret is None:
            return None
        token = find_token(secret)
        if token is None or not token.user.is_active:
            raise errors.Unauthenticated()
        now = timezone.now()
        if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
            raise errors.TokenRevoked()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
