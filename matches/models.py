"""Matches between a mentor and a mentee.

A match is created active from an accepted proposal and later ended. The MEA
who supports it is a field of the match, so the escalation router needs only
this app to know who to tell.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MatchQuerySet":
        """Deny by default: the two people in it, its MEA, coordinators of its group, staff."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_program_staff:
            return self
        return self.filter(
            Q(mentor=user) | Q(mentee=user) | Q(mea=user) | Q(group_id__in=user.coordinated_group_ids)
        )

    def active(self) -> "MatchQuerySet":
        return self.filter(status=Match.Status.ACTIVE)


class Match(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_matches")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentee_matches")
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.PROTECT, related_name="matches")
    mea = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mea_matches",
        verbose_name=_("MEA"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="match_not_with_self"),
            # A mentee has at most one active match, whatever the code above does.
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="match_one_active_per_mentee"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | Q(status="ended", ended_at__isnull=False),
                name="match_ended_has_end_time",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"], name="match_mentor_status"),
            models.Index(fields=["mea", "status"], name="match_mea_status"),
            models.Index(fields=["group", "status"], name="match_group_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.mentee}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def involves(self, user) -> bool:
        return user.pk in (self.mentor_id, self.mentee_id)
