"""The input layer's base: one `InputSerializer` per endpoint body, parsed at the edge before any service runs.

An input serializer names the keys a body may carry, which are required, how API names map to the Python
names services take (`source=`), and their JSON types. `parse_body` reads a body in three steps, as
docs/management-api.md describes the answers:

1. shape: a non-object is `bad_request`; a key that would change an immutable value (`immutable_keys`, echoed
   back from a read) is `immutable_field`; unknown keys and missing required keys are `validation_failed`,
   all named at once (`cms.messages`: "Unknown field.", "This field is required.");
2. types: each `Typed*` field takes its value as sent, without coercion, if it has the field's JSON type
   (a string, a boolean, a list of strings, an object, a list), else names it with the field's `message`;
3. rules: when some values had the wrong type, `rule_problems(values, unreadable)` asks the service's own
   validation function about the values that did parse, so one answer still names every problem of a
   request, type problems and domain problems alike (the service runs that same function for its other
   callers, the admin and commands: each rule exists once). With every type right, the values go to the
   service, which checks its rules once. `check(values)` holds rules across fields the endpoint alone has.

Every problem carries its path (`tags[2]`) and comes as one `cms.errors.ValidationFailed`; `api_names()`
renames the Python names of problems a service reports back to the body's keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, cast

from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from cms import errors, messages


def flatten_detail(detail: Any, prefix: str) -> dict[str, str]:
    """DRF's nested error detail as our flat `{"tags[0]": "message"}` (list indexes in brackets)."""
    if isinstance(detail, Mapping):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_detail(value, path))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (Mapping, list)) for item in detail):
            return {prefix or "body": " ".join(str(item) for item in detail)}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_detail(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "body": str(detail)}


class Typed:
    """A field taken as sent if it has one JSON type (no coercion: `"1"` is no number), else named with `message`.

    `missing=` makes a required key whose absence is named with that message among the body's other problems
    (a block's `name`: "Required: a non-empty string."), rather than "This field is required." in the shape
    step. `allow_null=True` lets `null` through as None (for most keys: "not given").
    """

    default_message = "Must be a value of another type."

    def __init__(self, *args: Any, message: str | None = None, missing: str | None = None, **kwargs: Any) -> None:
        self.message = message or self.default_message
        self.missing = missing
        if missing is not None:
            kwargs["required"] = True
        super().__init__(*args, **kwargs)

    def has_type(self, value: object) -> bool:
        raise NotImplementedError

    def item_problems(self, value: list) -> dict[int, str]:
        """The items of a list of the wrong type, by index (lists only)."""
        return {}

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            if self.missing is not None:
                raise serializers.ValidationError(self.missing)
            raise SkipField()
        if data is None and getattr(self, "allow_null", False):
            return None
        if not self.has_type(data):
            raise serializers.ValidationError(self.message)
        items = self.item_problems(data) if isinstance(data, list) else {}
        if items:
            raise serializers.ValidationError(cast(Any, items))
        return data


class TypedString(Typed, serializers.CharField):
    default_message = messages.MUST_BE_STRING

    def has_type(self, value: object) -> bool:
        return isinstance(value, str)


class TypedChoice(Typed, serializers.ChoiceField):
    """One of `choices` (strings); anything else is named with `message`."""

    def has_type(self, value: object) -> bool:
        return isinstance(value, str) and value in self.choices


class TypedBoolean(Typed, serializers.BooleanField):
    default_message = messages.MUST_BE_BOOLEAN

    def has_type(self, value: object) -> bool:
        return isinstance(value, bool)


class TypedInteger(Typed, serializers.IntegerField):
    default_message = "Must be a whole number."

    def has_type(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)


class TypedStrings(Typed, serializers.ListField):
    """A list of strings. A non-list is named with `message`; with `item_message`, each item that is no string
    is named at its index (`tags[2]`), else a bad item is named with `message` as the whole list is."""

    default_message = messages.MUST_BE_STRINGS

    def __init__(self, *, item_message: str | None = None, **kwargs: Any) -> None:
        self.item_message = item_message
        super().__init__(child=serializers.CharField(), **kwargs)

    def has_type(self, value: object) -> bool:
        if not isinstance(value, list):
            return False
        return self.item_message is not None or all(isinstance(item, str) for item in value)

    def item_problems(self, value: list) -> dict[int, str]:
        return {i: self.item_message for i, item in enumerate(value) if not isinstance(item, str) and self.item_message}


class TypedObject(Typed, serializers.DictField):
    default_message = messages.MUST_BE_OBJECT

    def has_type(self, value: object) -> bool:
        return isinstance(value, dict)


class TypedList(Typed, serializers.ListField):
    default_message = "Must be a list."

    def has_type(self, value: object) -> bool:
        return isinstance(value, list)


class InputSerializer(serializers.Serializer):
    """Base of every request-body serializer; subclasses declare fields and may override `check`."""

    # Keys a client may send back from what it read: the same value is ignored, another is `immutable_field`.
    immutable_keys: ClassVar[frozenset[str]] = frozenset()
    # The answer's message when a value has the wrong type (None: `ValidationFailed`'s own).
    problem_message: ClassVar[str | None] = None

    def to_internal_value(self, data: Mapping) -> dict:
        self.sent = data  # the body as sent, for `rule_problems`
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for field in self._writable_fields:
            source, name = str(field.source), str(field.field_name)  # both set once the field is bound
            try:
                values[source] = field.run_validation(field.get_value(data))
            except SkipField:
                continue
            except serializers.ValidationError as exc:
                problems.update(flatten_detail(exc.detail, name))
        if problems:
            unreadable = {str(field.source) for field in self._writable_fields if self._names(field, problems)}
            # The values that did parse may break rules too: their problems join the type problems, and a rule
            # that holds whatever the value (a path on a global block) speaks for a value it could not read.
            raise errors.ValidationFailed(
                self.problem_message, fields=self.answer_problems(problems, values, unreadable)
            )
        return self.check(values)

    @staticmethod
    def _names(field: serializers.Field, problems: dict[str, str]) -> bool:
        name = str(field.field_name)
        return any(path == name or path.startswith(f"{name}[") for path in problems)

    def answer_problems(
        self, type_problems: dict[str, str], values: dict[str, Any], unreadable: set[str]
    ) -> dict[str, str]:
        """The problems of the answer: the type problems and `rule_problems` (a rule wins for its path)."""
        return {**type_problems, **self.rule_problems(values, unreadable)}

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        """The service's rules about the `values` that parsed, by API name, when others (`unreadable`, Python
        names) had the wrong type. Subclasses call the service's validation function; none by default.

        It may raise instead: a permission the service checks before it reads any value (`Forbidden`), or a
        problem the service names alone."""
        return {}

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """Rules across fields; answers the values services get (Python names). Raise `ValidationFailed`."""
        return values

    def api_name(self, python_path: str) -> str:
        """`block_types[1]` -> `blockTypes[1]`: a problem a service named, in the API's words."""
        head, bracket, rest = python_path.partition("[")
        for field in self.fields.values():
            if field.source == head:
                return f"{field.field_name}{bracket}{rest}"
        return python_path

    @contextmanager
    def api_names(self) -> Iterator[None]:
        """Around a service call: its `ValidationFailed` fields renamed to the body's keys."""
        try:
            yield
        except errors.ValidationFailed as exc:
            if exc.fields:
                exc.fields = {self.api_name(path): message for path, message in exc.fields.items()}
            raise


def read_object(request: Any) -> dict:
    """The request's JSON body, which every write must send as an object (`bad_request` otherwise)."""
    body = request.data
    if not isinstance(body, dict):
        raise errors.BadRequest("The request body must be a JSON object.")
    return body


def parse_query(serializer_class: type[serializers.Serializer], request: Any, message: str) -> dict[str, Any]:
    """Query parameters read by `serializer_class`; a problem is `bad_request` with `message`, naming each."""
    checked = serializer_class(data=request.query_params)
    if not checked.is_valid():
        raise errors.BadRequest(message, fields=flatten_detail(checked.errors, ""))
    return dict(checked.validated_data)


def parse_body(
    serializer: InputSerializer, request: Any, *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The body of `request` read by `serializer` (see the module docstring); answers Python-named values.

    `current` holds the values the addressed resource shows now (for `immutable_keys`)."""
    body = read_object(request)
    fields = serializer.fields
    immutable: dict[str, str] = {}
    shape: dict[str, str] = {}
    for key in body:
        if key in fields:
            continue
        if key in serializer.immutable_keys:
            if current is None or body[key] != current.get(key):
                immutable[key] = messages.IMMUTABLE
        else:
            shape[key] = messages.UNKNOWN_FIELD
    if immutable:
        raise errors.ImmutableField(
            "These fields cannot be changed: " + ", ".join(sorted(immutable)) + ".", fields=immutable
        )
    for name, field in fields.items():
        if field.required and name not in body and getattr(field, "missing", None) is None:
            shape[name] = messages.REQUIRED
    if shape:
        raise errors.ValidationFailed(fields=shape)
    return serializer.run_validation(body)
