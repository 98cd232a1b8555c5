from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy: data export and erasure"

    def ready(self) -> None:
        # profiles' part (profiles imports no app); every app above registers its own.
        from . import people
        from .registry import register_exporter, register_free_text

        register_exporter("account", people.export_account, covers=people.ACCOUNT_COVERS, exempt=people.EXEMPT)
        register_exporter("joining", people.export_joining, covers=people.JOINING_COVERS)
        register_free_text(people.SCRUBBED_TEXT, people.TEXT_KEPT)
