"""What a pair plans between check-ins: their meetings (and calendar feeds) and their goals.

Meetings are logistics (when, how long, how): they are read by whoever may
see the match, like its milestones, so the MEA dashboard can count meetings
held and cancelled from these rows instead of from what someone typed.
Goals are the pair's own words about what they need: confidential to the
pair and their MEA (DESIGN.md: what members tell the MEA is confidential), so
coordinators and staff never read them.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matches.models import Match
from profiles.history import tracked
from profiles.models import Transitions

MEETING_MINUTES = (15, 30, 45, 60, 90, 120)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Whoever may see the match (the pair, its MEA, the group's coordinators, staff)."""
        return self.filter(match__in=Match.objects.visible_to(user))

    def of_person(self, user) -> "MeetingQuerySet":
        """The meetings `user` is in (as mentor or mentee): a part of `visible_to(user)`."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(match__mentor=user) | Q(match__mentee=user))


@tracked("MeetingHistory")
class Meeting(Transitions, models.Model):
    """One meeting of a pair: proposed by one side, accepted (or moved) by the other, then held or cancelled.

    `uid` and `sequence` are the calendar invite's identity: every invite,
    update and cancellation of this meeting carries the same UID, and each
    change after the first invite raises SEQUENCE, so calendars replace the
    event rather than add a second one.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class How(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VIDEO = "video", _("Video call")
        IN_PERSON = "in_person", _("In person")
        CHAT = "chat", _("Chat")

    # A suggested time moves a planned meeting back to "waiting for an answer".
    TRANSITIONS = {
        Status.PROPOSED: {Status.ACCEPTED, Status.PROPOSED, Status.CANCELLED},
        Status.ACCEPTED: {Status.PROPOSED, Status.HELD, Status.CANCELLED},
    }

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    time_zone = models.CharField(max_length=64, help_text=_("The proposer's time zone the time was entered in."))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    how = models.CharField(_("how"), max_length=10, choices=How.choices, default=How.VIDEO)
    where = models.CharField(_("where or how to join"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    invited = models.BooleanField(default=False, help_text=_("A calendar invite went out (changes now update it)."))
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was marked held or cancelled."))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=15, minutes__lte=240), name="meeting_length_15_to_240"),
            models.CheckConstraint(
                condition=Q(status__in=["held", "cancelled"], closed_at__isnull=False)
                | Q(status__in=["proposed", "accepted"], closed_at__isnull=True),
                name="meeting_closed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["match", "status", "-starts_at"], name="meeting_match_status_start"),
            models.Index(fields=["starts_at"], condition=Q(status="accepted"), name="meeting_accepted_start"),
        ]

    def __str__(self) -> str:
        return f"meeting #{self.pk} of match #{self.match_id}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACCEPTED)

    def awaits_answer_from(self, user) -> bool:
        """The side who did not propose answers a proposal (accept or suggest another time)."""
        return self.status == self.Status.PROPOSED and user.pk != self.proposed_by_id and self.match.involves(user)


class CalendarFeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CalendarFeedQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def active(self) -> "CalendarFeedQuerySet":
        return self.filter(revoked_at=None)


class CalendarFeed(models.Model):
    """A person's private calendar feed URL. Only a hash of its secret is stored (the URL is shown once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_active"),
        ]

    def __str__(self) -> str:
        return f"calendar feed #{self.pk} of user #{self.user_id}"


GOAL_PROMPT = _("What do you need in terms of support at this stage of your healing?")
GOALS_OPEN_LIMIT = 5


class GoalQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GoalQuerySet":
        """Confidential: the pair and the match's MEA. Coordinators and staff read none of it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(match__mentor=user) | Q(match__mentee=user) | Q(match__mea=user))


# The goal's words are the pair's own: the history records that it changed, never what it says.
@tracked("GoalHistory", exclude=["text", "celebration"])
class Goal(Transitions, models.Model):
    """A goal the pair set in their own words; they mark progress, and a reached goal is celebrated."""

    class Status(models.TextChoices):
        WORKING = "working", _("Working on it")
        REACHED = "reached", _("Reached")

    class Progress(models.IntegerChoices):
        STARTED = 0, _("Just started")
        SOME = 25, _("Some way along")
        HALF = 50, _("Halfway")
        NEARLY = 75, _("Nearly there")
        REACHED = 100, _("Reached — time to celebrate")

    TRANSITIONS = {Status.WORKING: {Status.WORKING, Status.REACHED}}

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("the goal, in your own words"), max_length=300)
    progress = models.PositiveSmallIntegerField(_("progress"), choices=Progress.choices, default=Progress.STARTED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WORKING)
    celebration = models.CharField(_("a word to celebrate (optional)"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    reached_at = models.DateTimeField(null=True, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="reached", progress=100, reached_at__isnull=False)
                | Q(status="working", progress__lt=100, reached_at__isnull=True),
                name="goal_reached_is_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["match", "status"], name="goal_match_status"),
            # "To celebrate" on the MEA dashboard: the newest goals reached.
            models.Index(fields=["-reached_at"], condition=Q(status="reached"), name="goal_reached"),
        ]

    def __str__(self) -> str:
        return f"goal #{self.pk} of match #{self.match_id}"
