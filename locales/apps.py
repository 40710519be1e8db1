from django.apps import AppConfig


class LocalesConfig(AppConfig):
    name = "locales"
