"""The field-schema engine (docs/fields.md): check a schema, compile it to JSON Schema, validate and merge data.

    check_schema(schema)        -> the schema, or ValidationFailed with `schema[3].fields[0].name` paths
    compiled_for(schema)        -> CompiledSchema (cached per schema content; `cache_info()` counts compiles)
        .json_schema            JSON Schema draft 2020-12 of the data (draft level)
        .validate(data, publish=False) -> {"data.navLinks[1].url": "message", ...}
        .apply_patch(current, patch)   -> merged, sanitised, validated new data (or ValidationFailed)
        .clean(data), .orphaned_fields(data), .datasource_fields

Field types live in `schema.types`, one module each (the contract: `schema.fieldtype`), listed in `schema.registry`.
"""

from schema.checks import MAX_FIELDS, MAX_LEVELS, check_schema
from schema.compiler import CacheInfo, CompiledSchema, cache_info, clear_cache, compiled_for, schema_key
from schema.defaults import clean_defaults
from schema.fieldtype import FieldType
from schema.limits import MAX_DEPTH, MAX_SAFE_INTEGER, value_problems
from schema.paths import ANY_ITEM, format_path, values_at
from schema.registry import get_type, is_localized, localized_default, type_names
from schema.walk import FieldRef, iter_fields, localized_fields, top_level_names

__all__ = [
    "ANY_ITEM",
    "MAX_DEPTH",
    "MAX_FIELDS",
    "MAX_LEVELS",
    "MAX_SAFE_INTEGER",
    "CacheInfo",
    "CompiledSchema",
    "FieldRef",
    "FieldType",
    "cache_info",
    "check_schema",
    "clean_defaults",
    "clear_cache",
    "compiled_for",
    "format_path",
    "get_type",
    "is_localized",
    "iter_fields",
    "localized_default",
    "localized_fields",
    "schema_key",
    "top_level_names",
    "type_names",
    "value_problems",
    "values_at",
]
