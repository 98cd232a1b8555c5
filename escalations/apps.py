from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from profiles.privacy import register_eraser, register_exporter

        from . import privacy

        register_exporter("escalations", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("escalations", privacy.erase)
