from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Last of the project's apps: once every app is loaded, subscribe them to each other (`wiring.connect`)."""

    name = "wiring"
    verbose_name = "Wiring"

    def ready(self) -> None:
        # Imported here, not at the top: `wiring.connect` imports models, which Django allows only once the
        # app registry is ready.
        from wiring.connect import connect

        connect()
