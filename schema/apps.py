from django.apps import AppConfig


class SchemaConfig(AppConfig):
    """The field-schema engine: no models, no knowledge of blocks (see docs/architecture.md)."""

    name = "schema"
    verbose_name = "Field schemas"
