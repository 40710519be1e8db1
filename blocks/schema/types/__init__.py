"""One module per field type; `blocks.schema.registry` imports every module here at start-up."""
