from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and goals of a match"

    def ready(self) -> None:
        from privacy.registry import register_app

        from . import privacy

        register_app("meetings", privacy)
