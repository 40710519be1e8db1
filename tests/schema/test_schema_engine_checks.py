"""The engine-only checks agree with the Python reference checks (`FieldType.extra_check`).

jsonschema-rs runs date and datetime bounds, number steps and file types as regexes, `multipleOf` or a
callback (see `FieldType.engine_check`), so that validating a valid document never leaves Rust. Each rule
also exists in Python, which words the messages. Hypothesis checks that the two never disagree: a value is
accepted exactly when the Python rule accepts it, and a refusal carries the Python rule's message.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema import check_schema, compiled_for, get_type

EXAMPLES = int(os.environ.get("CMS_PROPERTY_EXAMPLES", "60")) * 2
# Derandomized unless a soak asks for more examples: the suite runs on every landing and must not flake.
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CMS_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=list(HealthCheck),
)


def agree(field: dict, value) -> None:
    compiled = compiled_for(check_schema([{"name": "f", **field}]))
    expected = get_type(field["type"]).extra_check(field, value)
    errors = compiled.validate({"f": value})
    assert errors == ({"data.f": expected} if expected else {}), (field, value)
    nested = compiled_for(check_schema([{"name": "l", "type": "array", "items": field}]))
    assert nested.validate({"l": [value]}) == ({"data.l[0]": expected} if expected else {}), (field, value)


DAYS = st.dates(date(1, 1, 10), date(9999, 12, 20))


@SETTINGS
@given(lo=st.none() | DAYS, hi=st.none() | DAYS, value=DAYS, near=st.integers(-3, 3), pick=st.integers(0, 2))
def test_date_bounds(lo, hi, value, near, pick):
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    field = {"type": "date", **({"min": lo.isoformat()} if lo else {}), **({"max": hi.isoformat()} if hi else {})}
    anchor = [value, lo or value, hi or value][pick]  # values at and around the bounds, and anywhere
    agree(field, (anchor + timedelta(days=near)).isoformat())


OFFSET = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
INSTANT = st.datetimes(datetime(1, 1, 5), datetime(9999, 12, 25), timezones=st.just(UTC))


def rfc3339(moment: datetime, offset) -> str:
    return moment.astimezone(offset).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@SETTINGS
@given(
    lo=st.none() | INSTANT,
    hi=st.none() | INSTANT,
    value=INSTANT,
    near=st.integers(-4 * 24 * 60, 4 * 24 * 60),
    pick=st.integers(0, 2),
    offsets=st.tuples(OFFSET, OFFSET, OFFSET),
)
def test_datetime_bounds_compare_in_utc(lo, hi, value, near, pick, offsets):
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    field = {"type": "datetime"}
    if lo:
        field["min"] = rfc3339(lo, offsets[0])
    if hi:
        field["max"] = rfc3339(hi, offsets[1])
    anchor = [value, lo or value, hi or value][pick]
    try:
        moment = anchor + timedelta(minutes=near)
        text = rfc3339(moment, offsets[2])
    except OverflowError:
        return
    if not text[:4].isdigit() or text.startswith("0000"):
        return
    agree(field, text)


STEPS = st.sampled_from(["1", "2", "5", "0.5", "0.25", "0.1", "0.01", "0.3", "1.5", "0.05", "2.5"])


@SETTINGS
@given(
    step=STEPS,
    lo=st.none() | st.integers(-100, 100).map(str) | st.sampled_from(["0.3", "-1.5", "0.05", "7.25"]),
    k=st.integers(-2000, 2000),
    nudge=st.sampled_from(["0", "0", "0.01", "-0.001", "0.5", "0.1", "1"]),
    integer=st.booleans(),
)
def test_number_steps_count_from_min_in_decimal(step, lo, k, nudge, integer):
    field = {"type": "number", "step": float(step) if "." in step else int(step)}
    if lo is not None:
        field["min"] = float(lo) if "." in lo else int(lo)
    base = Decimal(lo or "0")
    exact = base + k * Decimal(step) + Decimal(nudge)
    if lo is not None and exact < base:
        return  # below min: the `minimum` keyword speaks, not the step
    value = int(exact) if exact == exact.to_integral_value() and integer else float(exact)
    agree(field, value)


EXTENSIONS = st.sampled_from([".pdf", ".PDF", ".txt", ".tar", ".gz", ".jpeg"])
NAME_PART = st.text(alphabet="aB.x/-_", min_size=0, max_size=6)


@SETTINGS
@given(
    accept=st.lists(st.sampled_from([".pdf", ".txt", "image/*", "application/pdf", "*/json", ".GZ"]), min_size=1,
                    max_size=3, unique_by=str.lower),
    name=st.none() | st.builds(lambda a, e: a + e, NAME_PART, EXTENSIONS | st.just("")),
    path=st.builds(lambda a, e: a + e, NAME_PART, EXTENSIONS | st.just("")),
    absolute=st.booleans(),
    suffix=st.sampled_from(["", "?v=1.pdf", "#x.pdf", "?a=b"]),
    mime=st.none() | st.sampled_from(["image/png", "IMAGE/JPEG", "application/pdf", "application/json", "text/plain"]),
)  # fmt: skip
def test_file_accept(accept, name, path, absolute, suffix, mime):
    url = ("https://cdn.example.com/" if absolute else "/") + path.lstrip("/") + suffix
    value: dict = {"url": url}
    if name:
        value["name"] = name
    if mime:
        value["mimeType"] = mime
    agree({"type": "file", "accept": accept}, value)
