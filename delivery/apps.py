from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """The delivery API and its cache: no models of its own; it reads published blocks."""

    name = "delivery"
    verbose_name = "Delivery API"
