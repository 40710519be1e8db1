"""One module per field type (a `schema.fieldtype.FieldType` subclass); `schema.registry` lists them."""
