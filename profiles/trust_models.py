"""Trust infrastructure models: the audit trail, staff reads, erasure requests
and the beat heartbeat. Imported by profiles/models.py (so they belong to the
`profiles` app); kept apart to keep models.py about people.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class ErasureRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ErasureRequestQuerySet":
        """Your own requests; a coordinator sees their groups' members'; staff see all."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_program_staff:
            return self
        from .models import Membership

        groups = user.coordinated_group_ids
        members = Membership.objects.filter(group_id__in=groups).values("user_id")
        return self.filter(Q(user=user) | Q(user_id__in=members)).distinct()

    def open(self) -> "ErasureRequestQuerySet":
        return self.filter(status=ErasureRequest.Status.REQUESTED)


class ErasureRequest(models.Model):
    """A member asked for their personal data to be erased; a coordinator or staff completes it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.REQUESTED: {Status.COMPLETED, Status.WITHDRAWN},
        Status.COMPLETED: set(),
        Status.WITHDRAWN: set(),
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="requested"), name="erasure_one_open_per_user"
            ),
            models.CheckConstraint(
                condition=Q(status="completed", completed_at__isnull=False) | ~Q(status="completed"),
                name="erasure_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"erasure request #{self.pk} ({self.status})"

    def check_transition(self, new: str) -> None:
        if new not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(_("This request is already %(status)s.") % {"status": self.get_status_display()})


class Heartbeat(models.Model):
    """Last time a periodic job ran (`beat`: the beat schedule reached a worker)."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
