from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    """The project package as an app: it owns the beat heartbeat that /healthz reads (health.py)."""

    name = "mentorship"
    verbose_name = "Portal"

    def ready(self) -> None:
        from privacy.registry import register_free_text

        register_free_text(kept={"mentorship.Heartbeat.name": "A periodic job's name, written by the code."})
