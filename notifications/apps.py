from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from profiles.privacy import erasure_requested, register_eraser, register_exporter

        from . import privacy

        register_exporter("notifications", privacy.export, covers=privacy.COVERS)
        # Sorted by name, erasers run in order; "~" sorts last, so the scrub of other
        # people's emails and notices also catches the ones the other erasers just queued.
        register_eraser("~notifications", privacy.erase)
        erasure_requested.connect(privacy.erasure_requested, dispatch_uid="notifications-erasure-requested")
