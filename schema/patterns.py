"""The regular expressions the compiled JSON Schemas use for url, email, colour, date and datetime values.

They are written for both engines that read our JSON Schema: jsonschema-rs (Rust fancy-regex, which the
service uses) and `jsonschema` (Python `re`, the conformance oracle in the tests), and for browsers that read
the served schema. Two differences matter: Python's `$` also matches before a final newline, so every full
match ends in `$(?!\\n)`; and `\\d`/`\\s` are Unicode-aware in one engine and not another, so the classes are
spelled out (`[0-9]`, and `[^\\x00-\\x20\\x7f]` for "no whitespace or control character").
"""

from __future__ import annotations

import re

END = "$(?!\\n)"
NO_SPACE = "[^\\x00-\\x20\\x7f]"
HOST = "[^\\x00-\\x20\\x7f/?#]+"
#: printable ASCII without the space; and the character after a relative URL's `/`: that, but not `/` or `\\`
ASCII = "[\\x21-\\x7e]"
RELATIVE_FIRST = "[\\x21-\\x2e\\x30-\\x5b\\x5d-\\x7e]"

#: schemes a `url` field may allow; `javascript:`, `data:`, `vbscript:`, `file:` can never be allowed
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel", "sms", "ftp", "ftps")
HIERARCHICAL = frozenset({"http", "https", "ftp", "ftps"})
DEFAULT_SCHEMES = ("http", "https")


def _nocase(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def url_pattern(schemes: tuple[str, ...] | list[str] = DEFAULT_SCHEMES, allow_relative: bool = True) -> str:
    """A full-match regex for a URL with one of `schemes`, or (if `allow_relative`) a path such as `/blog`.

    A relative value is one `/` followed by printable ASCII whose first character is neither `/` nor `\\`:
    `//evil.example` is a protocol-relative URL, browsers read `/\\evil.example` as one too, and a non-ASCII
    character may be normalised into either (the full-width solidus U+FF0F; `/。evil`). Paths with other
    characters are written percent-encoded (`/%C3%BCber`), as browsers send them anyway.
    """
    alternatives = []
    hier = sorted(s for s in schemes if s in HIERARCHICAL)
    flat = sorted(s for s in schemes if s not in HIERARCHICAL)
    if hier:
        names = "|".join(_nocase(s) for s in hier)
        alternatives.append(f"(?:{names})://{HOST}(?:[/?#]{NO_SPACE}*)?")
    if flat:
        names = "|".join(_nocase(s) for s in flat)
        alternatives.append(f"(?:{names}):{NO_SPACE}+")
    if allow_relative:
        alternatives.append(f"/(?:{RELATIVE_FIRST}{ASCII}*)?")
    return "^(?:" + "|".join(alternatives) + ")" + END


def url_message(schemes: tuple[str, ...] | list[str] = DEFAULT_SCHEMES, allow_relative: bool = True) -> str:
    """The wording docs/fields.md shows ("url"): 'Must be an http(s) URL or a path starting with /.'"""
    if sorted(schemes) == ["http", "https"]:
        kinds = "an http(s) URL"
    else:
        kinds = "a URL (" + ", ".join(schemes) + ")"
    return f"Must be {kinds} or a path starting with /." if allow_relative else f"Must be {kinds}."


EMAIL = (
    '^[^\\x00-\\x20\\x7f@"(),:;<>\\[\\\\\\]]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}' + END
)

# Year 0000 is valid RFC 3339 but not a Python date; refusing it keeps both engines and the UTC comparison
# of `min`/`max` in agreement.
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_DATE = _YEAR + "-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DATE = "^" + _DATE + END
DATETIME = (
    "^" + _DATE + "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?"
    "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])" + END
)


def color_pattern(alpha: bool = True) -> str:
    hexd = "[0-9a-fA-F]"
    lengths = [f"{hexd}{{3}}", f"{hexd}{{6}}"] + ([f"{hexd}{{8}}"] if alpha else [])
    return "^#(?:" + "|".join(lengths) + ")" + END


MIME = "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*" + END


# -- engine-only patterns (see `FieldType.engine_check`): checks JSON Schema has no keyword for, as regexes
# jsonschema-rs runs in Rust. They are never served; the Python check of each type stays the reference.
def _bound(bound: str, *, above: bool) -> str:
    """A prefix regex for fixed-width strings of digits and separators shaped like `bound` that sort at or
    above (`above`) or at or below it; lexicographic order is date order for `YYYY-MM-DD`."""

    def rest(text: str) -> str:
        return "".join("[0-9]" if c.isdigit() else re.escape(c) for c in text)

    alternatives = [re.escape(bound)]
    for i, c in enumerate(bound):
        if not c.isdigit() or c == ("9" if above else "0"):
            continue
        digits = f"[{int(c) + 1}-9]" if above else f"[0-{int(c) - 1}]"
        alternatives.append(re.escape(bound[:i]) + digits + rest(bound[i + 1 :]))
    return "^(?:" + "|".join(alternatives) + ")"


def at_least(bound: str) -> str:
    return _bound(bound, above=True)


def at_most(bound: str) -> str:
    return _bound(bound, above=False)


#: a file `accept` entry: an extension (`.pdf`) or a MIME type in which `*` matches anything (`image/*`)
ACCEPT_EXTENSION = re.compile(r"\.[A-Za-z0-9_+-]{1,16}")
ACCEPT_MIME = re.compile(r"[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*/[A-Za-z0-9*][A-Za-z0-9!#$&^_.+*-]*")


def glob_regex(entry: str) -> str:
    """`image/*` as a regex body: `*` matches anything, every other character itself."""
    return ".*".join(re.escape(part) for part in entry.lower().split("*"))


def extension_of_name(extensions: list[str]) -> str:
    """A file name whose extension (as `posixpath.splitext` sees it: leading dots do not count) is one of
    `extensions`, any case."""
    names = "|".join(re.escape(e[1:]) for e in extensions)
    return f"(?i)(?:^|/)\\.*[^./][^/]*\\.(?:{names})$"


def extension_of_url(extensions: list[str]) -> str:
    """A URL (absolute with `//host`, or a path from `/`) whose path ends in a name with one of `extensions`."""
    names = "|".join(re.escape(e[1:]) for e in extensions)
    return f"(?i)^(?:[a-z][a-z0-9+.-]*://[^/?#]*)?/(?:[^?#]*/)?\\.*[^./?#][^/?#]*\\.(?:{names})(?:[?#].*)?$"


def for_engine(pattern: str) -> str:
    """`pattern` as jsonschema-rs runs it: there `$` already means the very end, so the `(?!\\n)` guard (which
    needs the backtracking engine and costs most of a pattern's time) is dropped; the meaning is the same."""
    return pattern.replace(END, "$")


SINGLE_LINE = "^[^\\r\\n]*" + END
