"""Decimal numbers as they come in a URL, a query string or a form field: ASCII digits only.

`str.isdigit()` is true for "³", "٣" and other Unicode digits that `int()` then refuses (or reads as another
number), so a check built on it lets such text through to a 500. Every place that reads a number from text a
client sent asks here instead.
"""

from __future__ import annotations


def is_decimal(text: str | None, *, max_digits: int = 18) -> bool:
    """`text` is 1 to `max_digits` ASCII digits (18 keeps any value inside a 64-bit database integer)."""
    return text is not None and 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def parse_decimal(text: str | None, *, max_digits: int = 18) -> int | None:
    """The number `text` spells in ASCII digits, or None when it spells none (or too long a one)."""
    if text is None or not is_decimal(text, max_digits=max_digits):
        return None
    return int(text)
