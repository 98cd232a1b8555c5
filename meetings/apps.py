from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and goals of a match"

    def ready(self) -> None:
        from privacy.registry import register_eraser, register_exporter, register_free_text

        from . import privacy

        register_exporter("meetings", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("meetings", privacy.erase)
        register_free_text(privacy.SCRUBBED_TEXT, privacy.TEXT_KEPT)
