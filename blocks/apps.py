from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "blocks"
    verbose_name = "Site blocks"

    def ready(self) -> None:
        import reversion

        from blocks.models import SiteBlock

        if not reversion.is_registered(SiteBlock):
            reversion.register(SiteBlock)

        from delivery import signals

        signals.connect()
