from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and goals of a match"

    def ready(self) -> None:
        from profiles.privacy import register_eraser, register_exporter

        from . import privacy

        register_exporter("meetings", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("meetings", privacy.erase)
