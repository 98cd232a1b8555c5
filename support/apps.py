from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "MEA support and check-ins"

    def ready(self) -> None:
        from profiles.privacy import register_eraser, register_exporter

        from . import privacy

        register_exporter("support", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("support", privacy.erase)
