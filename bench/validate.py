"""Benchmark of the field-schema engine (issue 2): is validating a block's data cheap next to parsing it?

Builds the largest legal schema (250 top-level fields cycling through all 17 types with their options, the
objects and lists of objects nested to level 5) and documents of about 15 KB, 45 KB, 400 KB and 2 MB. For
each it prints, measured in this run: the schema check and compile times, our validation of the valid
document and of a copy with ten errors (all ten collected and mapped to their `data.…` paths), richtext
sanitising on its own, `json.loads` of the same text and bare `jsonschema` (the Python package, formats
checked) on the same compiled JSON Schema; then the ratios the issue asks for:

    ours / json.loads        <= 2     (valid and ten-error documents)
    jsonschema / ours        >= 20
    µs per KB                roughly constant from 15 KB to 2 MB (linear growth)

Run: `make bench` or `.venv/bin/python bench/validate.py` (`BENCH_QUICK=1` skips the 2 MB jsonschema run).
Exits non-zero if a target is missed, so a regression is noticed.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.base")

import django

django.setup()

import jsonschema  # noqa: E402

from schema import MAX_FIELDS, MAX_LEVELS, check_schema  # noqa: E402
from schema.compiler import CompiledSchema, _Compiler, _validator, compiled_for, schema_key  # noqa: E402

TARGETS_KB = (15, 45, 400, 2000)

# One definition per leaf type, with the options that make validation work (ranges, steps, UTC bounds,
# accepted file types, patterns): the expensive shape of each type, not the cheapest.
LEAVES = [
    {"type": "string", "maxLength": 120, "pattern": "^[^<>]*$"},
    {"type": "text", "maxLength": 5000},
    {"type": "richtext", "maxLength": 20000},
    {"type": "number", "min": 0, "max": 10_000},
    {"type": "boolean"},
    {"type": "select", "options": ["left", "center", {"value": "right", "label": "Right"}]},
    {"type": "multiselect", "options": ["news", "blog", "docs", "shop"], "maxItems": 4},
    {"type": "image", "requireAlt": True},
    {"type": "file", "accept": [".pdf", "image/*"], "maxSize": 10_000_000},
    {"type": "url", "schemes": ["http", "https", "mailto"]},
    {"type": "email"},
    {"type": "date", "min": "2000-01-01", "max": "2099-12-31"},
    {"type": "datetime", "min": "2000-01-01T00:00:00Z"},
    {"type": "color"},
]
LEAF_VALUES = {
    "string": "A short heading",
    "text": "Two lines\nof plain text.",
    "richtext": '<p>Some <strong>rich</strong> text with <a href="https://example.com/">a link</a>.</p>',
    "number": 42.5,
    "boolean": True,
    "select": "center",
    "multiselect": ["news", "docs"],
    "image": {"url": "https://cdn.example.com/img/hero.jpg", "alt": "Hero", "width": 1200, "height": 630},
    "file": {"url": "/media/report.pdf", "name": "report.pdf", "size": 48213, "mimeType": "application/pdf"},
    "url": "/blog/hello-world",
    "email": "editor@example.com",
    "date": "2025-04-06",
    "datetime": "2025-04-06T12:00:00+02:00",
    "color": "#1a2b3c",
}
TYPE_CYCLE = [*(leaf["type"] for leaf in LEAVES), "object", "array", "dataSource"]  # all 17


def level_fields(level: int) -> list[dict]:
    """The fields of an object at `level`: every leaf type, and below level 5 a list of objects one deeper."""
    fields = [{"name": f"{leaf['type']}L{level}", **leaf} for leaf in LEAVES]
    if level < MAX_LEVELS:
        fields.append(
            {"name": "children", "type": "array", "items": {"type": "object", "fields": level_fields(level + 1)}}
        )
    return fields


def largest_schema() -> list[dict]:
    schema = []
    for i in range(MAX_FIELDS):
        type_name = TYPE_CYCLE[i % len(TYPE_CYCLE)]
        name = f"f{i:03d}_{type_name}"
        if type_name == "object":
            schema.append({"name": name, "type": "object", "fields": level_fields(2)})
        elif type_name == "array":
            schema.append({"name": name, "type": "array", "items": {"type": "object", "fields": level_fields(2)}})
        elif type_name == "dataSource":
            schema.append({"name": name, "type": "dataSource", "source": "blocks", "params": {"limit": 3}})
        else:
            leaf = LEAVES[[x["type"] for x in LEAVES].index(type_name)]
            schema.append({"name": name, "required": i % 3 == 0, "label": name.title(), **leaf})
    return schema


def with_steps(fields: list[dict], step: float) -> list[dict]:
    """The same schema with a `step` on every number field (the most expensive option: see the README)."""
    out = []
    for field in fields:
        field = dict(field)
        if field["type"] == "number":
            field["step"] = step
        if "fields" in field:
            field["fields"] = with_steps(field["fields"], step)
        if "items" in field and "fields" in field["items"]:
            field["items"] = {**field["items"], "fields": with_steps(field["items"]["fields"], step)}
        out.append(field)
    return out


def level_value(level: int, children: int) -> dict:
    """One object at `level` with every leaf filled and `children` objects one level deeper (down to 5)."""
    value = {f"{leaf['type']}L{level}": LEAF_VALUES[leaf["type"]] for leaf in LEAVES}
    if level < MAX_LEVELS:
        value["children"] = [level_value(level + 1, children) for _ in range(children)]
    return value


def units(schema: list[dict]):
    """The document grows unit by unit: each top-level field in schema order (an object nested to level 5,
    a list with one item nested to level 5, a leaf value), then more items spread over the lists."""
    lists = [f["name"] for f in schema if f["type"] == "array"]
    for field in schema:
        if field["type"] == "object":
            yield field["name"], level_value(2, 1), False
        elif field["type"] == "array":
            yield field["name"], level_value(2, 1), True
        elif field["type"] != "dataSource":
            yield field["name"], LEAF_VALUES[field["type"]], False
    i = 0
    while True:
        yield lists[i % len(lists)], level_value(2, 1 if i % 2 else 2), True
        i += 1


def sized_document(schema: list[dict], kb: int) -> tuple[dict, str]:
    """A document of about `kb` KB of JSON text, grown unit by unit (so size and content grow together)."""
    doc: dict = {}
    size = 2
    for name, value, is_item in units(schema):
        grow = len(json.dumps(value)) + (len(name) + 5 if not is_item or name not in doc else len(name) + 7)
        if size + grow > kb * 1000 and size > kb * 1000 * 0.9:
            break
        if is_item:
            doc.setdefault(name, []).append(value)
        else:
            doc[name] = value
        size += grow
    return doc, json.dumps(doc)


def with_ten_errors(doc: dict, schema: list[dict]) -> tuple[dict, set[str]]:
    """A copy of `doc` with ten errors of different kinds at different depths, and their expected paths."""
    names = {f["type"]: f["name"] for f in reversed(schema)}
    lst, obj = names["array"], names["object"]
    # A deep copy (never sharing values with `doc`), with the first object and list present even when the
    # document is too small to have reached them.
    bad = json.loads(
        json.dumps({**doc, obj: doc.get(obj) or level_value(2, 1), lst: doc.get(lst) or [level_value(2, 1)]})
    )
    first = bad[lst][0]
    expected = set()

    def put(container, key, value, path):
        container[key] = value
        expected.add(path)

    put(bad, names["number"], "42", f"data.{names['number']}")  # wrong type
    put(bad, names["url"], "javascript:alert(1)", f"data.{names['url']}")  # forbidden scheme
    put(bad, names["date"], "1999-12-31", f"data.{names['date']}")  # below min (an extra check)
    put(bad, names["color"], "#12", f"data.{names['color']}")  # bad pattern
    put(bad[obj], "colourL2", "#fff", f"data.{obj}.colourL2")  # unknown key in an object
    stepped = "step" in next(f for f in schema if f["type"] == "number")
    off = 0.3 if stepped else -5  # off the step (an extra check), or below the minimum
    put(bad[obj]["children"][0], "numberL3", off, f"data.{obj}.children[0].numberL3")
    deep = first["children"][0]["children"][0]["children"][0]  # level 5
    put(deep, "emailL5", "not-an-email", f"data.{lst}[0].children[0].children[0].children[0].emailL5")
    put(deep["imageL5"], "alt", "", f"data.{lst}[0].children[0].children[0].children[0].imageL5.alt")
    put(first, "fileL2", {"url": "/a.exe", "size": 1}, f"data.{lst}[0].fileL2")  # not accepted (extra)
    put(first["children"][0], "selectL3", "middle", f"data.{lst}[0].children[0].selectL3")
    return bad, expected


def _clock(fn, loops: int) -> float:
    start = time.thread_time()
    for _ in range(loops):
        fn()
    return (time.thread_time() - start) / loops


def best(fn, *, budget: float = 0.3, repeat: int = 7) -> float:
    """Best time of one call, in seconds of this thread's CPU time (`time.thread_time`): CPU time, because
    the machine is shared and wall time would measure the neighbours too."""
    return interleaved({"fn": fn}, budget=budget, rounds=repeat)["fn"]


def interleaved(fns: dict, *, budget: float = 1.0, rounds: int = 15) -> dict:
    """Best time of one call of each function, the functions taking turns round after round, so that a busy
    spell of the (shared) machine slows them all alike and the ratios of one row stay fair."""
    gc.collect()
    loops = {}
    for name, fn in fns.items():
        fn()
        once = max(_clock(fn, 1), 1e-6)
        loops[name] = max(1, int(budget / rounds / len(fns) / once))
    times: dict = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name] = min(times[name], _clock(fn, loops[name]))
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f}"


def main() -> int:
    quick = bool(os.environ.get("BENCH_QUICK"))
    schema = largest_schema()
    check_schema(schema)
    t_check = best(lambda: check_schema(schema))
    t_compile = best(lambda: CompiledSchema(schema), budget=1.0)
    t_publish = best(lambda: _validator(_Compiler(publish=True, engine=True).compile(schema)[0]), budget=1.0)
    t_served = best(lambda: _Compiler(publish=False, engine=False).compile(schema), budget=1.0)
    t_lookup = best(lambda: compiled_for(schema))
    t_key = best(lambda: schema_key(schema))
    print(
        f"schema: {len(schema)} top-level fields of all 17 types, nesting to level {MAX_LEVELS}, "
        f"{sum(1 for _ in _walk(schema))} field definitions, {len(json.dumps(schema)) / 1000:.0f} KB of JSON"
    )
    print(f"  schema check          {ms(t_check)} ms")
    print(f"  compile (draft level) {ms(t_compile)} ms   then on first use: publish level {ms(t_publish)} ms,")
    print(f"                                         served JSON Schema  {ms(t_served)} ms")
    print(f"  cache lookup (hit)    {ms(t_lookup)} ms   of which the canonical hash: {ms(t_key)} ms")
    print()
    failures = table(schema, "Every type with its options (targets checked here)", jsonschema_too=True, quick=quick)
    print()
    table(
        with_steps(schema, 0.5),
        "The same with `step: 0.5` on every number (jsonschema-rs checks fractional multipleOf exactly, ~1.5 µs"
        " a value)",
        jsonschema_too=False,
        quick=quick,
    )
    print()
    print(
        "targets: ours <= 2x json.loads, >= 20x faster than jsonschema, linear growth:", "MISSED" if failures else "met"
    )
    for failure in failures:
        print("  -", failure)
    return 1 if failures else 0


def table(schema: list[dict], title: str, *, jsonschema_too: bool, quick: bool) -> list[str]:
    """One row per document size; returns the targets missed."""
    compiled = compiled_for(schema)
    oracle = jsonschema.Draft202012Validator(
        compiled.json_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    header = (
        f"{'size':>8} {'json.loads':>10} {'ours ok':>10} {'ours 10err':>10} {'sanitise':>10} {'jsonschema':>11}"
        f" | {'ok/loads':>8} {'err/loads':>9} {'js/ok':>7} {'js/err':>7} {'us/KB ok':>8}"
    )
    print(title)
    print("times in ms (best of interleaved runs, CPU time); ratios are of the times in the same row")
    print(header)
    print("-" * len(header))
    failures = []
    per_kb = []
    for kb in TARGETS_KB:
        doc, text = sized_document(schema, kb)
        size_kb = len(text.encode()) / 1000
        bad, expected = with_ten_errors(doc, schema)
        bad_text = json.dumps(bad)
        errors = compiled.validate(bad)
        assert compiled.validate(doc) == {}, compiled.validate(doc)
        assert set(errors) == expected, (set(errors) ^ expected, errors)

        t = interleaved(
            {
                "loads": lambda text=text: json.loads(text),
                "ok": lambda doc=doc: compiled.validate(doc),
                "loads_bad": lambda text=bad_text: json.loads(text),
                "err": lambda bad=bad: compiled.validate(bad),
            },
            budget=2.0 if kb < 1000 else 4.0,
        )
        t_loads, t_ok, t_loads_bad, t_err = t["loads"], t["ok"], t["loads_bad"], t["err"]
        t_clean = best(lambda doc=doc: compiled.clean(doc))
        if not jsonschema_too or (quick and kb > 400):
            t_js = float("nan")
        else:
            assert oracle.is_valid(doc)
            t_js = best(lambda doc=doc: oracle.is_valid(doc), budget=1.0, repeat=3)
            t_js_err = best(lambda bad=bad: list(oracle.iter_errors(bad)), budget=1.0, repeat=2)
            t_js = min(t_js, t_js_err)  # the faster of its two runs: the baseline most favourable to it
        per_kb.append(t_ok / size_kb)
        row = (
            f"{size_kb:6.0f}KB {ms(t_loads)} {ms(t_ok):>10} {ms(t_err):>10} {ms(t_clean):>10} {ms(t_js):>11}"
            f" | {t_ok / t_loads:8.2f} {t_err / t_loads_bad:9.2f} {t_js / t_ok:7.0f} {t_js / t_err:7.0f}"
            f" {t_ok / size_kb * 1e6:8.2f}"
        )
        print(row)
        if t_ok > 2 * t_loads or t_err > 2 * t_loads_bad:
            failures.append(f"{size_kb:.0f} KB: validation costs more than 2x json.loads")
        if t_js == t_js and (t_js < 20 * t_ok or t_js < 20 * t_err):
            failures.append(f"{size_kb:.0f} KB: less than 20x faster than jsonschema")
    # The error mapping keeps a plan per keyword location (see `CompiledSchema._plan`), made by the first error
    # there and reused after: the rows above measure it made, as a process that has seen such errors before.
    # Here the smallest document with every plan forgotten before each run (the first errors at those fields).
    doc, _ = sized_document(schema, TARGETS_KB[0])
    bad, _ = with_ten_errors(doc, schema)
    bad_text = json.dumps(bad)

    def cold(bad=bad) -> dict:
        for plans in compiled._plans.values():
            plans.clear()
        return compiled.validate(bad)

    t = interleaved({"loads": lambda: json.loads(bad_text), "cold": cold}, budget=1.0)
    print(
        f"ten errors, no plan made yet: {TARGETS_KB[0]} KB {ms(t['cold']).strip()} ms,"
        f" {t['cold'] / t['loads']:.2f}x json.loads (information: the target is checked on the rows above)"
    )
    spread = max(per_kb) / min(per_kb)
    print(f"linear growth: µs per KB of a valid document varies {spread:.2f}x from 15 KB to 2 MB")
    if spread > 2:
        failures.append("validation time does not grow linearly with the document")
    return failures


def _walk(fields):
    for field in fields:
        yield field
        inner = field.get("fields") or (field.get("items") or {}).get("fields") or []
        yield from _walk(inner)


if __name__ == "__main__":
    sys.exit(main())
