from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"
    verbose_name = "Matching"

    def ready(self) -> None:
        from privacy.registry import register_app

        from . import privacy

        register_app("matches", privacy)

        # A new mentee waits from their role's start (matches.waiting).
        from profiles.models import Role
        from profiles.signals import role_granted

        from .waiting import waiting_since_refresh

        def granted(sender, user, role, **kwargs):
            if role == Role.MENTEE:
                waiting_since_refresh([user.pk])

        role_granted.connect(granted, weak=False, dispatch_uid="matches.waiting.granted")
