from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """The delivery API and its cache; its one model keeps invalidations the cache missed (models.py)."""

    name = "delivery"
    verbose_name = "Delivery API"
