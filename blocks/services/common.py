"""Rules block services share before they write: who may write data, and valid locales, paths and tags.

The write itself (lock, version check, save, revision, events) is `blocks.services.writing`.
"""

from __future__ import annotations

import re

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.models import SiteBlock
from cms import errors
from locales.selectors import enabled_locale_codes

PATH_RE = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")
MAX_PATH_LENGTH = 2048
MAX_TAGS = 20
MAX_TAG_LENGTH = 50


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


def check_path(path: object, field: str = "path") -> dict[str, str]:
    if not isinstance(path, str):
        return {field: "Must be a string starting with /."}
    if len(path) > MAX_PATH_LENGTH:
        return {field: f"At most {MAX_PATH_LENGTH} characters."}
    if not PATH_RE.match(path):
        return {field: "Must start with / and contain only URL path characters (no spaces, ? or #)."}
    return {}


def clean_tags(tags: object, field: str = "tags") -> tuple[list[str], dict[str, str]]:
    if not isinstance(tags, list):
        return [], {field: "Must be a list of strings."}
    problems: dict[str, str] = {}
    if len(tags) > MAX_TAGS:
        problems[field] = f"At most {MAX_TAGS} tags."
    cleaned: list[str] = []
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG_LENGTH or "," in tag:
            problems[f"{field}[{index}]"] = (
                f"Must be a non-empty string of at most {MAX_TAG_LENGTH} characters, no comma."
            )
        elif tag.strip() not in cleaned:
            cleaned.append(tag.strip())
    return cleaned, problems


def path_taken(site: Site, locale: str, path: str, *, exclude_pk: int | None = None) -> bool:
    found = SiteBlock.objects.filter(site=site, locale=locale, path=path)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()
