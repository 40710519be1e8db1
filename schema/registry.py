"""The field-type registry: every field type, found by its `name`.

The types are listed here, by hand: this module imports each class from its module in `schema/types/`
(those modules import only the contract, `schema.fieldtype`, so the dependency runs one way). Adding a
type takes:

- its module in `schema/types/` (a `FieldType` subclass, see `schema.fieldtype`) and a line in `FIELD_TYPES`;
- its widget in `editor/widgets.py` (one `Widget` subclass registered with `@widget`: the admin form has no
  control for a type without one);
- its cases in the two tables every type is tested against, which fail until they name it:
  `TABLE` in `tests/schema/test_schema_types.py` and `CASES` in `tests/editor/test_admin_field_types.py`.
"""

from __future__ import annotations

from schema.fieldtype import FieldType
from schema.types.array_type import ArrayType
from schema.types.boolean_type import BooleanType
from schema.types.color_type import ColorType
from schema.types.datasource_type import DataSourceType
from schema.types.date_type import DateType
from schema.types.datetime_type import DateTimeType
from schema.types.email_type import EmailType
from schema.types.file_type import FileType
from schema.types.image_type import ImageType
from schema.types.multiselect_type import MultiSelectType
from schema.types.number_type import NumberType
from schema.types.object_type import ObjectType
from schema.types.richtext_type import RichTextType
from schema.types.select_type import SelectType
from schema.types.string_type import StringType
from schema.types.text_type import TextType
from schema.types.url_type import UrlType

#: every field type, one instance each (types keep no state)
FIELD_TYPES: tuple[FieldType, ...] = (
    ArrayType(),
    BooleanType(),
    ColorType(),
    DataSourceType(),
    DateType(),
    DateTimeType(),
    EmailType(),
    FileType(),
    ImageType(),
    MultiSelectType(),
    NumberType(),
    ObjectType(),
    RichTextType(),
    SelectType(),
    StringType(),
    TextType(),
    UrlType(),
)

_BY_NAME: dict[str, FieldType] = {ftype.name: ftype for ftype in FIELD_TYPES}
assert len(_BY_NAME) == len(FIELD_TYPES), "two field types share a name"


def get_type(name: object) -> FieldType | None:
    """The registered type called `name`, or None."""
    if not isinstance(name, str):
        return None
    return _BY_NAME.get(name)


def type_of(field: dict) -> FieldType:
    """The type of a field of a checked schema (`schema.checks` made sure it names a registered one)."""
    return _BY_NAME[field["type"]]


def type_names() -> list[str]:
    """All registered type names, in a stable order (for messages and docs)."""
    return sorted(_BY_NAME)


def localized_default(type_name: object) -> bool:
    """The default for `localized` when a field does not say (docs/fields.md "A field definition")."""
    ftype = get_type(type_name)
    return bool(ftype and ftype.localized_default)


def is_localized(field: dict) -> bool:
    """Whether translators translate this field: its own `localized`, else its type's default."""
    value = field.get("localized")
    if isinstance(value, bool):
        return value
    return localized_default(field.get("type"))
