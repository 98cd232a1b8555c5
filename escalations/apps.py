from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from privacy.registry import register_eraser, register_exporter, register_free_text

        from . import privacy

        register_exporter("escalations", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("escalations", privacy.erase)
        register_free_text(privacy.SCRUBBED_TEXT, privacy.TEXT_KEPT)
