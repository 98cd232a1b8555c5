from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"
    verbose_name = "Matching"

    def ready(self) -> None:
        from profiles.privacy import register_eraser, register_exporter

        from . import privacy

        register_exporter("matches", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("matches", privacy.erase)
