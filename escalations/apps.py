from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from privacy.registry import register_app

        from . import privacy

        register_app("escalations", privacy)
