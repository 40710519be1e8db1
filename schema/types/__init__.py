"""One module per field type; `schema.registry` imports every module here at start-up."""
