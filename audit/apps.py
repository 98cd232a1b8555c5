from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit: history of changes and staff reads"

    def ready(self) -> None:
        from privacy.registry import register_exporter, register_free_text, register_history_scrubber
        from profiles.admin_access import object_read

        from . import access, privacy

        register_exporter("activity", privacy.export, covers=privacy.COVERS, exempt=privacy.exempt())
        register_history_scrubber("audit", privacy.scrub)
        register_free_text(privacy.scrubbed_text(), privacy.text_kept())
        object_read.connect(access.record_admin_read, dispatch_uid="audit-admin-read")
