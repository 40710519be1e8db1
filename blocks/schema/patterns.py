"""The regular expressions the compiled JSON Schemas use for url, email, colour, date and datetime values.

They are written for both engines that read our JSON Schema: jsonschema-rs (Rust fancy-regex, which the
service uses) and `jsonschema` (Python `re`, the conformance oracle in the tests), and for browsers that read
the served schema. Two differences matter: Python's `$` also matches before a final newline, so every full
match ends in `$(?!\\n)`; and `\\d`/`\\s` are Unicode-aware in one engine and not another, so the classes are
spelled out (`[0-9]`, and `[^\\x00-\\x20\\x7f]` for "no whitespace or control character").
"""

from __future__ import annotations

END = "$(?!\\n)"
NO_SPACE = "[^\\x00-\\x20\\x7f]"
HOST = "[^\\x00-\\x20\\x7f/?#]+"

#: schemes a `url` field may allow; `javascript:`, `data:`, `vbscript:`, `file:` can never be allowed
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel", "sms", "ftp", "ftps")
HIERARCHICAL = frozenset({"http", "https", "ftp", "ftps"})
DEFAULT_SCHEMES = ("http", "https")


def _nocase(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def url_pattern(schemes: tuple[str, ...] | list[str] = DEFAULT_SCHEMES, allow_relative: bool = True) -> str:
    """A full-match regex for a URL with one of `schemes`, or (if `allow_relative`) a path such as `/blog`.

    A relative value must start with a single `/`: `//evil.example` is a protocol-relative URL, not a path.
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
        alternatives.append(f"/(?:[^\\x00-\\x20\\x7f/]{NO_SPACE}*)?")
    return "^(?:" + "|".join(alternatives) + ")" + END


def url_message(schemes: tuple[str, ...] | list[str] = DEFAULT_SCHEMES, allow_relative: bool = True) -> str:
    """FIELDS.md's wording: 'Must be an http(s) URL or a path starting with /.'"""
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
