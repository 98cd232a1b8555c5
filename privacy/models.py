from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.history import tracked
from profiles.models import Membership, ScopedQuerySet, Transitions


class ErasureRequestQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ErasureRequestQuerySet":
        """Your own requests; a coordinator sees their groups' members'; staff see all."""
        members = Membership.objects.filter(group_id__in=user.coordinated_group_ids).values("user_id")
        return self.filter(Q(user=user) | Q(user_id__in=members)).distinct()

    def open(self) -> "ErasureRequestQuerySet":
        return self.filter(status=ErasureRequest.Status.REQUESTED)


@tracked("ErasureRequestHistory")
class ErasureRequest(Transitions, models.Model):
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
        if not self.can_move_to(new):
            raise ValidationError(_("This request is already %(status)s.") % {"status": self.get_status_display()})
