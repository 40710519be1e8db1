from django.apps import AppConfig


class EditorConfig(AppConfig):
    """The editor UI in the Django admin: the block admin, its history, widgets, forms, static files."""

    name = "editor"
    verbose_name = "Editor"
