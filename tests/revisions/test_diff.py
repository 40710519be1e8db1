"""`revisions.diff`: change lists between two block states (pure functions)."""

from __future__ import annotations

from revisions.diff import MAX_INSIDE_LIST, changes, summarise

BASE = {"name": "Header", "path": None, "tags": ["nav"], "status": "draft", "schema": [{"name": "a"}], "data": {}}


def state(**overrides) -> dict:
    return {**BASE, **overrides}


def test_nested_objects_are_reported_by_path():
    before = state(data={"logo": {"url": "/a.svg", "alt": "Logo"}})
    after = state(data={"logo": {"url": "/b.svg", "alt": "Logo"}})
    assert changes(before, after) == [{"field": "data.logo.url", "from": "/a.svg", "to": "/b.svg"}]


def test_object_appearing_and_disappearing_lists_each_leaf():
    assert changes(state(), state(data={"logo": {"url": "/a.svg"}})) == [
        {"field": "data.logo.url", "from": None, "to": "/a.svg"}
    ]
    assert changes(state(data={"logo": {"url": "/a.svg"}, "x": 1}), state(data={"x": 1})) == [
        {"field": "data.logo.url", "from": "/a.svg", "to": None}
    ]


def test_lists_are_summarised_and_long_strings_cut():
    before = state(data={"links": [1, 2, 3], "body": "a" * 500})
    after = state(data={"links": [1, 2], "body": "b" * 500})
    found = changes(before, after)
    assert found[0] == {"field": "data.links", "from": "3 items", "to": "2 items"}
    assert found[1]["field"] == "data.body"
    assert len(found[1]["from"]) == len(found[1]["to"]) == 200
    assert found[1]["to"].startswith("b" * 199)


def test_a_list_of_the_same_length_is_walked_item_by_item_up_to_a_bound():
    plans = [{"planName": "Basic", "price": 5}, {"planName": "Pro", "price": 9}]
    renamed = [{"planName": "Basic", "price": 5}, {"planName": "Pro+", "price": 9}]
    assert changes(state(data={"plans": plans}), state(data={"plans": renamed})) == [
        {"field": "data.plans[1].planName", "from": "Pro", "to": "Pro+"}
    ]
    assert changes(state(data={"tags": ["a", "b"]}), state(data={"tags": ["b", "a"]})) == [
        {"field": "data.tags[0]", "from": "a", "to": "b"},
        {"field": "data.tags[1]", "from": "b", "to": "a"},
    ]
    # Changed in more places than a summary reports: the list as a whole, in counts.
    many = list(range(MAX_INSIDE_LIST + 1))
    assert changes(state(data={"n": many}), state(data={"n": [n + 1 for n in many]})) == [
        {"field": "data.n", "from": f"{len(many)} items", "to": f"{len(many)} items"}
    ]


def test_full_form_keeps_values():
    before = state(data={"links": [1, 2, 3]})
    after = state(data={"links": [1]}, tags=["nav", "main"])
    assert changes(before, after, full=True) == [
        {"field": "tags", "from": ["nav"], "to": ["nav", "main"]},
        {"field": "data.links", "from": [1, 2, 3], "to": [1]},
    ]


def test_top_level_fields_in_a_stable_order():
    after = state(name="Top", path="/x", tags=[], status="published", schema=[{"name": "a"}, {"name": "b"}])
    assert [entry["field"] for entry in changes(state(), after)] == ["name", "path", "tags", "status", "schema"]
    assert changes(state(), after)[4] == {"field": "schema", "from": "1 item", "to": "2 items"}


def test_a_new_block_reports_what_it_holds_not_empty_fields():
    created = state(tags=[], data={"title": "Hi"})
    assert changes(None, created) == [
        {"field": "name", "from": None, "to": "Header"},
        {"field": "status", "from": None, "to": "draft"},
        {"field": "schema", "from": None, "to": "1 item"},
        {"field": "data.title", "from": None, "to": "Hi"},
    ]


def test_equal_states_have_no_changes_and_type_changes_are_one_entry():
    assert changes(state(data={"a": {"b": 1}}), state(data={"a": {"b": 1}})) == []
    assert changes(state(data={"a": "text"}), state(data={"a": {"b": 1}})) == [
        {"field": "data.a", "from": "text", "to": "1 field"}
    ]


def test_summarise():
    assert summarise([]) == "0 items"
    assert summarise("short") == "short"
    assert summarise(None) is None
    assert summarise({"a": 1, "b": 2}) == "2 fields"
