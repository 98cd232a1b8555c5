from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from privacy.registry import register_eraser, register_exporter, register_free_text
        from privacy.services import erasure_requested

        from . import privacy

        register_exporter("notifications", privacy.export, covers=privacy.COVERS)
        register_eraser("notifications", privacy.erase)
        register_free_text(privacy.SCRUBBED_TEXT, privacy.TEXT_KEPT)
        erasure_requested.connect(privacy.erasure_requested, dispatch_uid="notifications-erasure-requested")
