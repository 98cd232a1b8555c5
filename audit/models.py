"""The read log (AccessEvent) and the history of changes as staff read it (History).

Changes are recorded by Postgres triggers (django-pghistory): each tracked
model declares `@tracked(...)` (profiles.history) in its own app, which creates its event
model there (`<Model>History`, e.g. matches.MatchHistory) and installs the
triggers, so a save, a queryset `.update()`, a `bulk_create` and a delete all
leave a row, with the context of the change (the signed-in person's id and the
URL, or the Celery task, or whoever a service acts for). `History` is the
union of every event table (pghistory's `Events`), read by the staff admin.
See docs/AUDIT.md.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events, EventsQuerySet


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.is_program_staff))


class AccessEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AccessEventQuerySet":
        """Program staff (and superusers) read the trail; nobody else does."""
        return self if _staff(user) else self.none()


class AccessEvent(models.Model):
    """A staff member read an object (a report, a profile): who, what, when, where."""

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
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_access_object_at")]

    def __str__(self) -> str:
        return f"read {self.content_type.model} #{self.object_id}"


class HistoryQuerySet(EventsQuerySet):
    def visible_to(self, user) -> "HistoryQuerySet":
        """Program staff (and superusers) read the history; nobody else does."""
        return self if _staff(user) else self.none()


class History(Events):
    """Every recorded change of every tracked model, newest first (one event table each)."""

    objects = HistoryQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("change")
        verbose_name_plural = _("history of changes")
        ordering = ["-pgh_created_at", "-pgh_id"]
