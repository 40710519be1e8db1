"""Writes on sites, memberships and API tokens.

The admin (accounts/admin.py), the commands and the API share these rules. Functions taking `actor=` check
what the acting user may do on the site (`Action.MANAGE` for settings, members and other people's tokens);
the ones without are for trusted callers (commands, fixtures). A site keeps at least one owner once it has
one: the last owner cannot be demoted or removed, so a team can never lock itself out of its settings.

A token's secret (`cms_live_<random>`) exists only in the return value of `token_create`: the database keeps
its SHA-256, so a leaked database dump cannot be replayed against the API. At most
`CMS["MAX_ACTIVE_TOKENS_PER_USER_AND_SITE"]` tokens are active per user and site; the count is taken under a
lock on the membership row, so two concurrent creations cannot both slip under the cap.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.authentication import hash_token
from accounts.events import token_revoked
from accounts.models import MAX_TOKEN_NAME_LENGTH, TOKEN_PREFIX, ApiToken, Membership, Role, Scope, Site
from accounts.permissions import ROLE_ACTIONS, SCOPE_FOR_ACTION, Action, Actor
from cms import errors, messages
from cms.conf import cms_setting

# Scopes a management token may carry; `preview` is for the delivery API's drafts.
TOKEN_SCOPES = (Scope.READ, Scope.WRITE, Scope.PUBLISH, Scope.PREVIEW)
DEFAULT_TOKEN_SCOPES = (Scope.READ, Scope.WRITE, Scope.PUBLISH)


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    """Known scopes only, de-duplicated, in a stable order; an empty set is refused (a useless token)."""
    given = {scope.strip() for scope in scopes if scope and scope.strip()}
    unknown = given - set(TOKEN_SCOPES)
    if unknown:
        raise errors.ValidationFailed(
            fields={"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}. Use {', '.join(TOKEN_SCOPES)}."}
        )
    if not given:
        raise errors.ValidationFailed(fields={"scopes": "Give at least one scope."})
    return [scope.value for scope in TOKEN_SCOPES if scope in given]


def usable_scopes(role: str | None) -> frozenset[str]:
    """The token scopes that can ever take effect for `role` (the role caps a token on every request)."""
    return frozenset(SCOPE_FOR_ACTION[action] for action in ROLE_ACTIONS.get(role or "", frozenset()))


def _check_role(role: str, field: str = "role") -> None:
    if role not in Role.values:
        raise errors.ValidationFailed(fields={field: f"Unknown role `{role}`. Use {', '.join(Role.values)}."})


def _lock_site(site: Site) -> None:
    """Serialise membership changes of one site, so two owners demoting each other cannot both succeed."""
    Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True).first()


def _require_another_owner(membership: Membership, what: str) -> None:
    """Refuse when `membership` is the site's only owner (call with the site locked)."""
    if membership.role != Role.OWNER:
        return
    others = Membership.objects.filter(site_id=membership.site_id, role=Role.OWNER).exclude(pk=membership.pk)
    if not others.exists():
        message = (
            f"`{membership.user}` is the last owner of `{membership.site.slug}`: {what} would leave the site "
            "without an owner. Make another member owner first."
        )
        raise errors.Conflict(message, fields={"role": message})


def _forget_tokens(*, user: User, site: Site) -> None:
    """After a role change, the delivery API's cached rights of the user's tokens on `site` are dropped."""
    hashes = list(ApiToken.objects.filter(user=user, site=site).values_list("token_hash", flat=True))

    for token_hash in hashes:
        token_revoked.fire(token_hash=token_hash)


def membership_set(*, user: User, site: Site, role: str) -> Membership:
    """Give `user` exactly `role` on `site` (creating the membership when missing); for the commands.

    The last-owner rule holds here too: a command cannot demote a site's only owner.
    """
    _check_role(role)
    with transaction.atomic():
        _lock_site(site)
        existing = Membership.objects.select_related("user", "site").filter(user=user, site=site).first()
        if existing is not None and existing.role != role:
            _require_another_owner(existing, f"making them {role}")
        membership, _ = Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
        if existing is not None and existing.role != role:
            _forget_tokens(user=user, site=site)
    return membership


def membership_add(*, actor: Actor, username: str, role: str) -> Membership:
    """Add an existing user (by exact username) to the actor's site with `role`. Owners only."""
    actor.require(Action.MANAGE, "Only the site's owners manage its members.")
    site = actor.site
    _check_role(role)
    username = (username or "").strip()
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is None:
        raise errors.ValidationFailed(fields={"username": f"No user `{username}`; they need an account first."})
    with transaction.atomic():
        _lock_site(site)
        existing = Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()
        if existing is not None:
            message = f"`{username}` is already a member of `{site.slug}` ({existing}); change their role instead."
            raise errors.Conflict(message, fields={"username": message})
        return Membership.objects.create(user=user, site=site, role=role)


def _locked_membership(actor: Actor, membership: Membership) -> Membership:
    actor.require(Action.MANAGE, "Only the site's owners manage its members.")
    if membership.site_id != actor.site.pk:
        raise errors.NotFound("No such member on this site.")
    _lock_site(actor.site)
    current = Membership.objects.select_for_update().select_related("user", "site").filter(pk=membership.pk).first()
    if current is None:
        raise errors.NotFound("No such member on this site (removed meanwhile).")
    return current


def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Change a member's role. Owners only; the last owner cannot be demoted."""
    _check_role(role)
    with transaction.atomic():
        current = _locked_membership(actor, membership)
        if current.role == role:
            return current
        _require_another_owner(current, f"making them {role}")
        current.role = role
        current.save(update_fields=["role"])
        _forget_tokens(user=current.user, site=current.site)
    return current


def membership_set_reviewer(*, actor: Actor, membership: Membership, is_reviewer: bool) -> Membership:
    """Give or take the reviewer flag (owners only): a reviewer approves or requests changes on review requests
    (docs/reviews.md), whatever their role. Owners review anyway; the flag changes nothing else they may do."""
    with transaction.atomic():
        current = _locked_membership(actor, membership)
        if current.is_reviewer == bool(is_reviewer):
            return current
        current.is_reviewer = bool(is_reviewer)
        current.save(update_fields=["is_reviewer"])
    return current


def membership_remove(*, actor: Actor, membership: Membership) -> int:
    """Remove a member (owners only; never the last owner) and revoke their tokens on the site.

    A token of a non-member would only answer `forbidden`; revoking them keeps the list honest and means
    adding the person back later does not bring old secrets back to life. Returns how many were revoked.
    """
    with transaction.atomic():
        current = _locked_membership(actor, membership)
        _require_another_owner(current, "removing them")
        tokens = list(ApiToken.objects.active().filter(user=current.user, site=current.site))
        for token in tokens:
            token_revoke(token=token)
        current.delete()
    return len(tokens)


def token_issue(
    *,
    actor: Actor,
    user: User,
    name: str = "",
    scopes: Iterable[str] = DEFAULT_TOKEN_SCOPES,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """`token_create` for a person acting in the admin: an owner issues for any member of the site, any
    other member for themselves only, and only with scopes the member's role can use (a viewer's `write`
    token would be refused on every request: better to say so now).
    """
    own = actor.role is not None and actor.user is not None and user.pk == actor.user.pk
    if not actor.can(Action.MANAGE) and not own:
        raise errors.Forbidden("Only the site's owners issue tokens for other members.")
    role = Membership.objects.filter(user=user, site=actor.site).values_list("role", flat=True).first()
    if role is not None:
        beyond = [scope for scope in clean_scopes(scopes) if scope not in usable_scopes(role)]
        if beyond:
            raise errors.ValidationFailed(
                fields={
                    "scopes": f"A {role} cannot use {', '.join(beyond)}; choose among "
                    f"{', '.join(s for s in TOKEN_SCOPES if s in usable_scopes(role))}."
                }
            )
    return token_create(user=user, site=actor.site, name=name, scopes=scopes, expires_at=expires_at)


def token_create(
    *,
    user: User,
    site: Site,
    name: str = "",
    scopes: Iterable[str] = DEFAULT_TOKEN_SCOPES,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` on `site`, and its secret (shown once: only the hash is kept).

    The user must be a member of the site: the role is what caps the token, and a token without one could do
    nothing. Scopes beyond the role are kept as given; the role caps them on every request
    (`accounts.permissions.Actor.can`), so a later promotion takes effect without reissuing tokens.
    """
    clean = clean_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise errors.ValidationFailed(fields={"expiresAt": "Must be in the future."})
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        raise errors.ValidationFailed(fields={"name": messages.too_long(MAX_TOKEN_NAME_LENGTH)})
    limit = cms_setting("MAX_ACTIVE_TOKENS_PER_USER_AND_SITE")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, site=site).first()
        if membership is None:
            raise errors.Forbidden(f"`{user}` has no role on site `{site.slug}`; give one before issuing a token.")
        active = ApiToken.objects.active().filter(user=user, site=site).count()
        if active >= limit:
            raise errors.Conflict(
                f"`{user}` already has {active} active tokens on `{site.slug}` (at most {limit}); revoke one first."
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            site=site,
            name=name,
            token_hash=hash_token(secret),
            display_prefix=secret[: len(TOKEN_PREFIX) + 6],
            scopes=clean,
            expires_at=expires_at,
        )
    return token, secret


def token_revoke(*, token: ApiToken, actor: Actor | None = None) -> ApiToken:
    """Revoke now; the next request with it answers `token_revoked`. Revoking twice keeps the first time.

    With `actor`: an owner revokes any token of the site, any other member only their own.

    `accounts.events.token_revoked` fires with `token_hash=` after the commit (the delivery API caches what a
    token may do, and drops that at once).
    """
    if actor is not None:
        own = actor.role is not None and actor.user is not None and token.user_id == actor.user.pk
        if token.site_id != actor.site.pk or not (actor.can(Action.MANAGE) or own):
            raise errors.Forbidden("Only the site's owners revoke other members' tokens.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    token_revoked.fire(token_hash=token.token_hash)
    return token
