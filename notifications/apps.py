from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from privacy.registry import register_app
        from privacy.services import erasure_requested

        from . import privacy

        register_app("notifications", privacy)
        erasure_requested.connect(privacy.erasure_requested, dispatch_uid="notifications-erasure-requested")
