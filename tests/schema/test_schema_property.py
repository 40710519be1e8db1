"""Property-based test of the schema engine against the `jsonschema` oracle (draft 2020-12).

Hypothesis draws random schemas (all storable types, their options, objects and lists of objects nested up to
5 levels) and, for each, documents that are valid by construction. Both our engine and the Python
`jsonschema` package (run on our compiled JSON Schema, formats checked) must accept them, at draft level;
at publish level they must agree. Then one value is broken (a wrong JSON type, an unknown key in a nested
object, a value for a read-only dataSource field): both must reject it, our engine with exactly the broken
path, the oracle with an error at that path.

Examples per run: `CMS_PROPERTY_EXAMPLES` (default 60, kept small because the whole suite runs on every
landing); raise it for a soak, e.g. `CMS_PROPERTY_EXAMPLES=5000 pytest tests/blocks/test_schema_property.py`.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import jsonschema
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema import check_schema, compiled_for
from schema.paths import format_path

EXAMPLES = int(os.environ.get("CMS_PROPERTY_EXAMPLES", "60"))
REQ = "Must be present and non-empty."

LEAF_TYPES = [
    "string", "text", "richtext", "number", "boolean", "select", "multiselect", "image", "file",
    "url", "email", "date", "datetime", "color",
]  # fmt: skip
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
SMALL_TEXT = st.text(max_size=12)
ONE_LINE = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=12)
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


# -- random schemas ------------------------------------------------------------------------------------------
@st.composite
def options_for(draw, type_name: str) -> dict:
    """Options of one leaf type, each present or not; always a legal combination."""
    out: dict = {}

    def maybe(key, strategy):
        if draw(st.booleans()):
            out[key] = draw(strategy)

    if type_name in ("string", "text"):
        maybe("minLength", st.integers(0, 3))
        maybe("maxLength", st.integers(max(3, out.get("minLength", 0)), 20))
    elif type_name == "richtext":
        maybe("maxLength", st.integers(1, 50))
    elif type_name == "number":
        maybe("integer", st.booleans())
        maybe("min", st.integers(-50, 50))
        maybe("max", st.integers(out.get("min", -50) + 10, 200))
        maybe("step", st.sampled_from([1, 2, 5] if out.get("integer") else [1, 0.5, 0.25, 0.1]))
    elif type_name in ("select", "multiselect"):
        values = draw(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5, unique=True))
        out["options"] = [draw(st.sampled_from([v, {"value": v}, {"value": v, "label": v.upper()}])) for v in values]
        if type_name == "multiselect":
            maybe("minItems", st.integers(0, len(values)))
            maybe("maxItems", st.integers(max(1, out.get("minItems", 1)), len(values)))
    elif type_name == "image":
        maybe("requireAlt", st.booleans())
    elif type_name == "file":
        maybe("accept", st.sampled_from([[".pdf"], [".pdf", "image/*"], ["application/pdf", ".txt"]]))
        maybe("maxSize", st.integers(1, 10_000))
    elif type_name == "url":
        maybe("allowRelative", st.booleans())
        maybe("schemes", st.sampled_from([["https"], ["http", "https", "mailto"], ["https", "tel"]]))
    elif type_name == "date":
        maybe("min", st.dates(date(1990, 1, 1), date(2020, 1, 1)).map(date.isoformat))
        maybe("max", st.dates(date(2021, 1, 1), date(2040, 1, 1)).map(date.isoformat))
    elif type_name == "datetime":
        maybe("min", st.datetimes(datetime(1990, 1, 1), datetime(2020, 1, 1), timezones=OFFSETS).map(_rfc3339))
        maybe("max", st.datetimes(datetime(2021, 1, 1), datetime(2040, 1, 1), timezones=OFFSETS).map(_rfc3339))
    elif type_name == "color":
        maybe("alpha", st.booleans())
    return out


@st.composite
def definition(draw, level: int, *, named: bool) -> dict:
    """One field definition at nesting `level` (containers only where the 5-level limit allows)."""
    kinds = [*LEAF_TYPES, "array"]
    if level < 5:
        kinds += ["object", "object", "array"]
    if named and level == 1:
        kinds.append("dataSource")
    type_name = draw(st.sampled_from(kinds))
    field: dict = {"type": type_name}
    if named:
        if draw(st.booleans()):
            field["required"] = True
        if draw(st.integers(0, 4)) == 0:
            field["label"] = draw(SMALL_TEXT)
    if type_name == "object":
        field["fields"] = draw(field_list(level + 1))
    elif type_name == "array":
        choice = draw(st.integers(0, 2)) if level < 5 else draw(st.sampled_from([0, 2]))
        if choice == 1:
            field["items"] = {"type": "object", "fields": draw(field_list(level + 1))}
        elif choice == 2:
            field["items"] = draw(definition(level, named=False).filter(lambda d: d["type"] in LEAF_TYPES))
        if draw(st.booleans()):
            field["maxItems"] = draw(st.integers(1, 4))
    elif type_name == "dataSource":
        field.update(source="blocks", params={"limit": 3})
    else:
        field.update(draw(options_for(type_name)))
    return field


def field_list(level: int):
    names = st.lists(NAME, min_size=1, max_size=5 if level == 1 else 3, unique=True)
    return names.flatmap(
        lambda ns: st.tuples(*[definition(level, named=True) for _ in ns]).map(
            lambda defs: [{"name": n, **d} for n, d in zip(ns, defs, strict=True)]
        )
    )


# -- documents valid by construction ---------------------------------------------------------------------------
def _rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _url(field: dict):
    schemes = field.get("schemes", ["http", "https"])
    forms = []
    for scheme in schemes:
        if scheme in ("http", "https"):
            forms.append(st.from_regex(r"[a-z0-9.-]{1,12}(/[a-zA-Z0-9._~-]{0,8}){0,3}", fullmatch=True)
                         .map(lambda rest, s=scheme: f"{s}://{rest}"))  # fmt: skip
        elif scheme == "mailto":
            forms.append(st.just("mailto:someone@example.com"))
        elif scheme == "tel":
            forms.append(st.from_regex(r"\+[0-9]{4,12}", fullmatch=True).map(lambda n: f"tel:{n}"))
    if field.get("allowRelative", True):
        forms.append(st.from_regex(r"/([a-zA-Z0-9_-][a-zA-Z0-9/._~?=&#-]{0,15})?", fullmatch=True))
    return st.one_of(forms)


def _number(field: dict):
    lo, hi = field.get("min", -1000), field.get("max", 1000)
    if "step" in field:
        step, base = Decimal(repr(field["step"])), Decimal(repr(field.get("min", 0)))
        first = int(-((base - Decimal(lo)) // step)) if "min" not in field else 0
        last = int((Decimal(hi) - base) // step)
        return st.integers(first, max(first, last)).map(
            lambda k: int(base + k * step) if field.get("integer") else float(base + k * step)
        )
    if field.get("integer"):
        return st.integers(lo, hi)
    return st.one_of(st.integers(lo, hi), st.floats(lo, hi, allow_nan=False, allow_infinity=False))


JSON_ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | SMALL_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SMALL_TEXT, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


def value_for(field: dict):
    """A strategy of values valid for `field` at draft level (extra checks included)."""
    kind = field["type"]
    lo, hi = field.get("minLength", 0), field.get("maxLength")
    if kind == "string":
        return st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]),
                       min_size=lo, max_size=min(hi or 20, 20))  # fmt: skip
    if kind in ("text", "richtext"):
        return st.text(min_size=lo, max_size=min(hi or 20, 20))
    if kind == "number":
        return _number(field)
    if kind == "boolean":
        return st.booleans()
    values = [o["value"] if isinstance(o, dict) else o for o in field.get("options", [])]
    if kind == "select":
        return st.sampled_from(values)
    if kind == "multiselect":
        return st.lists(st.sampled_from(values), unique=True, min_size=field.get("minItems", 0),
                        max_size=field.get("maxItems", len(values)))  # fmt: skip
    if kind == "image":
        alt = st.text(min_size=1, max_size=8) if field.get("requireAlt") else SMALL_TEXT
        required = {"url": _url({}), **({"alt": alt} if field.get("requireAlt") else {})}
        optional = {"alt": alt, "width": st.integers(0, 4000), "height": st.integers(0, 4000)}
        return st.fixed_dictionaries(required, optional={k: v for k, v in optional.items() if k not in required})
    if kind == "file":
        accept = field.get("accept")
        required: dict = {"url": _url({})}
        if "maxSize" in field:
            required["size"] = st.integers(0, field["maxSize"])
        if accept == [".pdf"]:
            required["name"] = st.from_regex(r"[a-z]{1,6}\.(pdf|PDF)", fullmatch=True)
        elif accept:
            required["mimeType"] = st.sampled_from(["image/png", "image/svg+xml"] if "image/*" in accept
                                                   else ["application/pdf"])  # fmt: skip
        optional = {} if "size" in required else {"size": st.integers(0, 10**9)}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "url":
        return _url(field)
    if kind == "email":
        return st.from_regex(r"[a-z0-9._+-]{1,8}@[a-z0-9]{1,8}\.[a-z]{2,6}", fullmatch=True)
    if kind == "date":
        first = date.fromisoformat(field.get("min", "1900-01-01"))
        last = date.fromisoformat(field.get("max", "2100-12-31"))
        return st.dates(first, last).map(date.isoformat)
    if kind == "datetime":
        first = datetime.fromisoformat(field.get("min", "1900-01-01T00:00:00+00:00")).astimezone(UTC)
        last = datetime.fromisoformat(field.get("max", "2100-01-01T00:00:00+00:00")).astimezone(UTC)
        return st.builds(
            lambda instant, offset: _rfc3339(instant.astimezone(offset)),
            st.datetimes(first.replace(tzinfo=None) + timedelta(days=1), last.replace(tzinfo=None) - timedelta(days=1),
                         timezones=st.just(UTC)),
            OFFSETS,
        )  # fmt: skip
    if kind == "color":
        sizes = [3, 6, 8] if field.get("alpha", True) else [3, 6]
        return st.sampled_from(sizes).flatmap(lambda n: st.from_regex(rf"#[0-9a-fA-F]{{{n}}}", fullmatch=True))
    if kind == "object":
        return document(field["fields"])
    if kind == "array":
        item = value_for(field["items"]) if "items" in field else JSON_ANY
        return st.lists(item, max_size=min(field.get("maxItems", 3), 3))
    raise AssertionError(kind)


def document(fields: list[dict]):
    """An object of some of `fields` (never a dataSource), valid at draft level."""
    return st.fixed_dictionaries({}, optional={f["name"]: value_for(f) for f in fields if f["type"] != "dataSource"})


# -- breaking one value ----------------------------------------------------------------------------------------
WRONG_TYPE = {
    "number": "12", "boolean": "true", "select": {"v": 1}, "multiselect": "a", "image": "/a.png",
    "file": "/a.pdf", "object": ["x"], "array": "x",
}  # fmt: skip


def slots(value, fields: list[dict], path: tuple = ()):
    """Every `(path, field)` of a value present in a document, and every nested object's `(path, None)`."""
    by_name = {f["name"]: f for f in fields}
    for key, item in value.items():
        field = by_name[key]
        yield (*path, key), field
        yield from _slots_inside(item, field, (*path, key))


def _slots_inside(item, field: dict, path: tuple):
    if field["type"] == "object":
        yield path, None
        yield from slots(item, field["fields"], path)
    elif field["type"] == "array" and "items" in field:
        for i, element in enumerate(item):
            yield (*path, i), field["items"]
            yield from _slots_inside(element, field["items"], (*path, i))


def set_at(doc, path: tuple, value):
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def oracle_paths(validator, doc) -> set[tuple]:
    return {tuple(error.absolute_path) for error in validator.iter_errors(doc)}


def oracle(json_schema: dict):
    return jsonschema.Draft202012Validator(json_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


# Derandomized unless a soak asks for more examples: the suite runs on every landing and must not flake.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CMS_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=list(HealthCheck),
)
@given(st.data())
def test_engine_and_oracle_agree_on_random_schemas_and_documents(data):
    schema = data.draw(field_list(1), label="schema")
    compiled = compiled_for(check_schema(schema))
    draft, publish = oracle(compiled.json_schema), oracle(compiled.publish_json_schema)
    doc = data.draw(document(schema), label="document")

    # valid by construction: both accept it; at publish level they agree
    assert compiled.validate(doc) == {}
    assert draft.is_valid(doc)
    ours_publish = compiled.validate(doc, publish=True)
    assert (ours_publish == {}) == publish.is_valid(doc)
    for field in schema:
        if field.get("required") and field["type"] != "dataSource" and field["name"] not in doc:
            assert ours_publish[f"data.{field['name']}"] == REQ

    # a key the schema does not define at the top level is an orphan: still valid for both
    orphan = {**doc, "zz_orphan_": [1, {"x": None}]} if "zz_orphan_" not in doc else doc
    assert compiled.validate(orphan) == {} and draft.is_valid(orphan)

    # break one value: both reject it, we report exactly that path
    candidates = list(slots(doc, schema))
    datasources = [f for f in schema if f["type"] == "dataSource"]
    if not candidates and not datasources:
        return
    pick = data.draw(st.integers(0, len(candidates) + len(datasources) - 1), label="mutation")
    broken = orjson.loads(orjson.dumps(doc))
    if pick >= len(candidates):
        name = datasources[pick - len(candidates)]["name"]
        path, expected, oracle_at = (name,), "read-only field", (name,)
        broken[name] = data.draw(JSON_ANY)
    else:
        path, field = candidates[pick]
        if field is None:  # a nested object: add a key it does not define
            set_at(broken, (*path, "zz_unknown_"), 1)
            path, expected, oracle_at = (*path, "zz_unknown_"), "unknown field", path
        else:
            set_at(broken, path, WRONG_TYPE.get(field["type"], 12345))
            expected, oracle_at = None, path
    errors = compiled.validate(broken)
    assert list(errors) == [format_path("data", path)], errors
    if expected:
        assert errors[format_path("data", path)] == expected
    assert not draft.is_valid(broken)
    assert oracle_at in oracle_paths(draft, broken)
