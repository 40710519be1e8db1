"""`UNSET`: an argument the caller left out, where None already means something (no fallback, a time cleared).

An Enum member, so the type checker narrows `value is not UNSET` (`Unset` is its type in annotations).
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
