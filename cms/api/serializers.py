"""The input layer's base: one `InputSerializer` per endpoint body, parsed at the edge before any service runs.

An input serializer names the keys a body may carry, which are required, how API names map to the Python
names services take (`source=`), and their JSON types for the OpenAPI document. `parse_body` reads a body in
two stages, as API.md describes the answers:

1. shape: a non-object is `bad_request`; a key that would change an immutable value (`immutable_keys`, echoed
   back from a read) is `immutable_field`; unknown keys and missing required keys are `validation_failed`,
   all named at once ("Unknown field.", "This field is required.");
2. values: each field's `to_internal_value`, then the serializer's `check(values)` for rules across fields.
   Every problem is reported at once with its path (`tags[2]`), as `cms.errors.ValidationFailed`.

Fields declared with the `Sent` mixin pass the value through as sent: the service owns that rule (its callers
are the admin and commands too) and reports it together with its other rules, so one request still hears
of every problem in one answer. `api_names()` renames the Python names of those problems back to API names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from cms import errors

UNKNOWN_FIELD = "Unknown field."
REQUIRED = "This field is required."
IMMUTABLE = "This field cannot be changed."


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


class Sent:
    """A field taken as sent (no coercion): its type is documented, the service checks the value.

    `missing=` makes a required field whose absence the service names with its own message (a block's
    `name`: "Required: a non-empty string."): absent, the service gets `missing`. Other required fields
    are named "This field is required." with the unknown keys, before any value is looked at.
    """

    def __init__(self, *args: Any, missing: Any = empty, **kwargs: Any) -> None:
        self.missing = missing
        if missing is not empty:
            kwargs["required"] = True
        super().__init__(*args, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            if self.missing is not empty:
                return self.missing
            raise SkipField()
        return data


class SentString(Sent, serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)  # blank or not is the service's rule
        super().__init__(**kwargs)


class SentBoolean(Sent, serializers.BooleanField):
    pass


class SentInteger(Sent, serializers.IntegerField):
    pass


class SentStrings(Sent, serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(), **kwargs)


class SentObject(Sent, serializers.DictField):
    pass


class SentList(Sent, serializers.ListField):
    pass


class InputSerializer(serializers.Serializer):
    """Base of every request-body serializer; subclasses declare fields and may override `check`."""

    # Keys a client may send back from what it read: the same value is ignored, another is `immutable_field`.
    immutable_keys: ClassVar[frozenset[str]] = frozenset()

    def to_internal_value(self, data: Mapping) -> dict:
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
            raise errors.ValidationFailed(fields=problems)
        return self.check(values)

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
                immutable[key] = IMMUTABLE
        else:
            shape[key] = UNKNOWN_FIELD
    if immutable:
        raise errors.ImmutableField(
            "These fields cannot be changed: " + ", ".join(sorted(immutable)) + ".", fields=immutable
        )
    for name, field in fields.items():
        if field.required and name not in body and getattr(field, "missing", empty) is empty:
            shape[name] = REQUIRED
    if shape:
        raise errors.ValidationFailed(fields=shape)
    return serializer.run_validation(body)
