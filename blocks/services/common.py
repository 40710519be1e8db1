"""Rules block services share before they write: who may write data, valid locales, taken paths.

The rules of a block's own values (name, slug, path, tags) are `blocks.rules`.

The write itself (lock, version check, save, revision, events) is `blocks.services.writing`.
"""

from __future__ import annotations

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from cms import errors
from locales.selectors import enabled_locale_codes


def may_write_data(actor: Actor, block: SiteBlock) -> bool:
    """Editors write any data; translators only the data of copies in a non-default locale."""
    if actor.can(Action.WRITE):
        return True
    return block.locale != block.site.default_locale and actor.can(Action.TRANSLATE)


def require_data_write(actor: Actor, block: SiteBlock) -> None:
    """`may_write_data`, or the refusal an editor's write would get."""
    if not may_write_data(actor, block):
        actor.require(Action.WRITE)


def check_locale(site: Site, locale: str | None, field: str = "locale") -> str:
    code = locale or site.default_locale
    if code not in enabled_locale_codes(site):
        raise errors.ValidationFailed(fields={field: f"`{code}` is not a locale this site enables."})
    return code


def path_taken(site: Site, locale: str, path: str, *, exclude_pk: int | None = None) -> bool:
    found = SiteBlock.objects.filter(site=site, locale=locale, path=path)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()
