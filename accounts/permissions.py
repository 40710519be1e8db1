"""What each role and each token scope may do on a site.

Two caps apply to every call and both must allow it: the user's role on the site (docs/management-api.md "Tokens,
roles and scopes") and, for token calls, the token's scopes. A session (admin login browsing the API) has every scope.
`accounts` knows nothing of blocks: callers name the action; the blocks layer decides, for a data write,
whether it is a translation (a non-default-locale copy) or a plain write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import User

from accounts.models import ApiToken, Role, Scope, Site
from cms import errors


class Action(StrEnum):
    READ = "read"
    WRITE = "write"  # create, rename, schema, data, delete, restore
    TRANSLATE = "translate"  # write data of a non-default-locale copy
    COPY_TO_LOCALE = "copy_to_locale"
    PUBLISH = "publish"  # publish, unpublish, schedule
    PREVIEW = "preview"  # read working copies through the delivery API
    MANAGE = "manage"  # members, tokens, locales, webhooks


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ, Action.PREVIEW}),
    Role.TRANSLATOR: frozenset({Action.READ, Action.PREVIEW, Action.TRANSLATE, Action.COPY_TO_LOCALE}),
    Role.EDITOR: frozenset(set(Action) - {Action.MANAGE}),
    Role.OWNER: frozenset(Action),
}

# Everything but reading: a caller allowed none of these is refused any write outright (see `Actor.may_write`).
WRITE_ACTIONS = frozenset(set(Action) - {Action.READ, Action.PREVIEW})

SCOPE_FOR_ACTION: dict[Action, str] = {
    Action.READ: Scope.READ,
    Action.WRITE: Scope.WRITE,
    Action.TRANSLATE: Scope.WRITE,
    Action.COPY_TO_LOCALE: Scope.WRITE,
    Action.PUBLISH: Scope.PUBLISH,
    Action.PREVIEW: Scope.PREVIEW,
    Action.MANAGE: Scope.WRITE,
}


def role_allows(role: str | None, action: Action) -> bool:
    """Whether `role` (None: not a member) may do `action`, tokens aside."""
    return role is not None and action in ROLE_ACTIONS.get(role, frozenset())


@dataclass(frozen=True)
class Actor:
    """Who is calling, on which site, with which powers. Built once per request by the auth layer."""

    user: User | None  # None: the system (the scheduled-publish worker, management commands)
    site: Site
    role: str | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token: ApiToken | None = None

    def can(self, action: Action) -> bool:
        if not role_allows(self.role, action):
            return False
        if self.token is None:
            return True
        return SCOPE_FOR_ACTION[action] in self.scopes

    def may_write(self) -> bool:
        """Whether any write at all is open to this caller: the API's first gate on POST/PUT/PATCH/DELETE, so a
        read-only caller is `forbidden` whatever the body or the endpoint (services still check the exact action).
        """
        return any(self.can(action) for action in WRITE_ACTIONS)

    def require(self, action: Action, message: str | None = None) -> None:
        if not self.can(action):
            raise errors.Forbidden(message or f"Your role or token does not allow `{action.value}` on this site.")
