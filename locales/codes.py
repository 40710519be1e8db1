"""BCP 47 language tags: is a code well formed, and its canonical spelling (`fr-ca` → `fr-CA`).

Only the well-formedness rules of RFC 5646 are checked (no registry lookup): a site may use any tag a
browser could send, but a typo such as `fr_CA`, `french` or `en-` is refused before it reaches the database.
Language subtags of 4-8 letters are reserved or unused in practice, so they are refused too (catches `french`).
"""

from __future__ import annotations

import re

from cms import messages

MAX_LENGTH = 35  # the column width of Locale.code; RFC 5646 asks implementations to support at least 35
CODE_MESSAGE = "Must be a locale code such as `en`, `fr-CA` or `pt-BR`."

_TAG = re.compile(
    r"""^
    (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})   # language (2-3 letters; 5-8 are unused), up to 3 extlangs
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
    (?P<extensions>(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*)
    (?:-x(?:-[a-z0-9]{1,8})+)?
    $""",
    re.VERBOSE,
)


class InvalidLocaleCode(ValueError):
    """The text is not a well-formed BCP 47 tag; the message says why in words an editor understands."""


def canonical_code(code: object) -> str:
    """The canonical spelling of a well-formed tag, or `InvalidLocaleCode`.

    Case is normalised as RFC 5646 recommends: language lower case, script title case, region upper case
    (`PT-br` → `pt-BR`, `zh-hant-tw` → `zh-Hant-TW`), so `fr-CA` and `fr-ca` cannot become two locales.
    """
    if not isinstance(code, str) or not code:
        raise InvalidLocaleCode(CODE_MESSAGE)
    if len(code) > MAX_LENGTH:
        raise InvalidLocaleCode(messages.too_long(MAX_LENGTH))
    if "_" in code:
        raise InvalidLocaleCode(f"Use hyphens, not underscores: `{code.replace('_', '-')}`.")
    match = _TAG.match(code.lower())
    if match is None:
        raise InvalidLocaleCode(f"`{code}` is not a BCP 47 language tag (such as `en`, `fr-CA`, `pt-BR`).")
    parts = code.lower().split("-")
    out = [parts[0]]
    for part in parts[1:]:
        if out[-1] in {"x"} or any(len(p) == 1 for p in out[1:]):
            out.append(part)  # after an extension or private-use singleton, subtags keep lower case
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


def is_valid_code(code: object) -> bool:
    try:
        canonical_code(code)
    except InvalidLocaleCode:
        return False
    return True
