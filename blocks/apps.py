from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "blocks"
    verbose_name = "Site blocks"

    def ready(self) -> None:
        # Imported here, not at the top: models may be imported only once the app registry is ready.
        import reversion

        from blocks.models import SiteBlock

        if not reversion.is_registered(SiteBlock):
            reversion.register(SiteBlock)

        from blocks.datasources import register_builtin_sources

        register_builtin_sources()
