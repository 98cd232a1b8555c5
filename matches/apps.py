from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"
    verbose_name = "Matching"

    def ready(self) -> None:
        from profiles.privacy import register_eraser, register_exporter
        from profiles.privacy_text import register_free_text

        from . import privacy

        register_exporter("matches", privacy.export, covers=privacy.COVERS, exempt=privacy.EXEMPT)
        register_eraser("matches", privacy.erase)
        register_free_text(privacy.SCRUBBED_TEXT, privacy.TEXT_KEPT)
