"""JSON to bytes for everything we render, hash or copy: orjson, with a fallback for values orjson refuses.

orjson refuses integers beyond 64 bits and values nested past 255 levels. Neither can be written any more
(`schema.limits`: magnitude at most 2^53 - 1, depth at most 32), but rows written before those limits may
hold them: on PostgreSQL, jsonb gives `1e20` back as the integer 100000000000000000000. Rather than answer
500 for such a block, its revision list, a compare or a delivery page for ever, the standard library's
encoder (arbitrary integers, about 1,000 levels) writes those rare values. The fast path is unchanged.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """`value` as compact UTF-8 JSON (orjson's output; the standard encoder's when orjson refuses it)."""
    try:
        return orjson.dumps(value, option=_OPTIONS | orjson.OPT_SORT_KEYS if sort_keys else _OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(
            value, default=_default, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys
        ).encode()


def copy(value: Any) -> Any:
    """An independent copy of a JSON value (an orjson round trip: several times faster than deepcopy)."""
    return orjson.loads(dumps(value))


def _default(value: Any) -> Any:
    """What orjson writes natively besides JSON types (the answers carry dates, times and ids)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
