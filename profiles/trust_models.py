"""Trust infrastructure models: the audit trail and staff reads. Imported by
profiles/models.py (so they belong to the `profiles` app); kept apart to keep
models.py about people.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEventQuerySet":
        """Program staff (and superusers) read the trail; nobody else does."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.is_program_staff:
            return self
        return self.none()

    def for_object(self, obj) -> "AuditEventQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class AuditEvent(models.Model):
    """One change to one object: who, what, when, and the old and new values.

    Written by `profiles.audit.audit_record` (and by `AuditedQuerySet.update()`
    / `.delete()` for bulk changes). Rows are never edited: the admin is read
    only. `actor` is empty for changes made by the system (beat, workers).
    `changes` is {"field": [old, new]}; fields a model marks as confidential
    are recorded as changed without their content.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=60)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Not a column: lets an object's admin page show its history inline.
    subject = GenericForeignKey("content_type", "object_id")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_object_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model} #{self.object_id}"


class AccessEventQuerySet(AuditEventQuerySet):
    pass


class AccessEvent(models.Model):
    """A staff member read an object (a report, a check-in): who, what, when, where."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    subject = GenericForeignKey("content_type", "object_id")

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="access_object_at")]

    def __str__(self) -> str:
        return f"read {self.content_type.model} #{self.object_id}"
