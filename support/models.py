"""MEA support of matches: who the MEA is, check-ins, self check-ins, milestones, reminders.

What a mentor or mentee tells the MEA (check-ins and self check-in answers) is
confidential to the match's MEA: `visible_to` lets nobody else read it, not
coordinators and not staff. It reaches staff only when it is escalated, through
the escalation router (a concern), never through these tables.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matches.models import Match
from meetings.models import Meeting
from profiles.history import tracked
from profiles.models import RoleGrant, ScopedQuerySet, Transitions
from profiles.program import program_settings


def _default_caseload() -> int:
    return program_settings().mea_caseload_limit


class MEAProfileQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "MEAProfileQuerySet":
        """The MEA; coordinators of a group they are MEA in; whoever may see a match they
        support (its mentor and mentee read how to reach their MEA there); staff."""
        # EXISTS, correlated on the MEA: a person's page asks about one MEA at a time, and Postgres reads
        # the matches of that MEA, not every match the viewer can see (2,000 for a long list).
        theirs = Match.objects.visible_to(user).filter(mea=OuterRef("user"))
        coordinated = RoleGrant.objects.filter(user=OuterRef("user"), role="mea", group_id__in=user.coordinated_group_ids)
        return self.filter(Q(user=user) | Exists(coordinated) | Exists(theirs))


class MEAProfile(models.Model):
    """An MEA's support settings: how many active matches they take at most."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mea_profile")
    caseload_limit = models.PositiveSmallIntegerField(
        _("caseload limit"), default=_default_caseload, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The most active matches this MEA supports at once."),
    )
    how_to_reach = models.CharField(
        _("how to reach me"), max_length=200, blank=True,
        help_text=_("Shown to your mentors and mentees, e.g. 'Discord: alexk, weekday evenings'."),
    )

    objects = MEAProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "MEA profile"

    def __str__(self) -> str:
        return f"MEA {self.user}"


class MatchSupportQuerySet(models.QuerySet):

    def visible_to(self, user) -> "MatchSupportQuerySet":
        return self.filter(match__in=Match.objects.visible_to(user))


# The check-in state is in the history; the ratings (what the MEA heard) are not.
@tracked("MatchSupportHistory", exclude=["last_rating", "prev_rating", "pulse_last", "pulse_prev"])
class MatchSupport(models.Model):
    """One row per match: the denormalised check-in state the dashboard and the beat read.

    Kept up to date by `support.services` in the same transaction as each
    check-in, so listing 1,000 matches or scanning 100,000 for due reminders is
    one indexed query, not a query per match.
    """

    match = models.OneToOneField(Match, on_delete=models.CASCADE, primary_key=True, related_name="support")
    next_due = models.DateField(_("next check-in due"))
    last_checkin_on = models.DateField(_("last check-in"), null=True, blank=True)
    checkins_done = models.PositiveIntegerField(default=0)
    last_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    prev_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # The members' own voice: the latest pulse answer (1-5, either side) and the one before it.
    pulse_last = models.PositiveSmallIntegerField(null=True, blank=True)
    pulse_prev = models.PositiveSmallIntegerField(null=True, blank=True)
    mea_assigned_at = models.DateTimeField(null=True, blank=True)
    mea_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MatchSupportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["next_due"], name="matchsupport_next_due")]

    def __str__(self) -> str:
        return f"support of match #{self.match_id}"


# What a check-in says is the MEA's alone: the history (read by staff) never copies these
# fields (audit/, docs/AUDIT.md).
CHECKIN_CONTENT = (
    "with_whom", "rating", "meetings_held", "meetings_cancelled", "to_celebrate", "worrying", "situations",
    "private_note",
)


class CheckInQuerySet(models.QuerySet):

    def visible_to(self, user) -> "CheckInQuerySet":
        """Confidential: only the match's current MEA. Coordinators and staff see none of it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(match__mea=user)


@tracked("CheckInHistory", exclude=list(CHECKIN_CONTENT))
class CheckIn(models.Model):
    """What the MEA heard when checking in with the mentor, the mentee or both."""

    class With(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")
        BOTH = "both", _("Both together")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="checkins")
    mea = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins_recorded")
    with_whom = models.CharField(_("check-in with"), max_length=10, choices=With.choices, default=With.BOTH)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    due_on = models.DateField(help_text=_("When this check-in was due (for on-time compliance)."))
    rating = models.PositiveSmallIntegerField(
        _("how is it going (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    meetings_held = models.PositiveSmallIntegerField(_("meetings held since last check-in"), default=0)
    meetings_cancelled = models.PositiveSmallIntegerField(_("meetings cancelled since last check-in"), default=0)
    to_celebrate = models.TextField(_("something to celebrate"), max_length=2000, blank=True)
    worrying = models.TextField(_("anything worrying"), max_length=2000, blank=True)
    situations = models.JSONField(default=list, blank=True)
    private_note = models.TextField(_("private MEA note"), max_length=4000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="checkin_rating_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["match", "-held_on"], name="checkin_match_held"),
            # "To celebrate" on the MEA dashboard: the newest check-ins with something to celebrate.
            models.Index(fields=["-held_on"], condition=~Q(to_celebrate=""), name="checkin_celebrate_held"),
        ]

    def __str__(self) -> str:
        return f"check-in #{self.pk} on match #{self.match_id}"

    @property
    def on_time(self) -> bool:
        return self.held_on <= self.due_on


class CheckInRequestQuerySet(models.QuerySet):

    def visible_to(self, user) -> "CheckInRequestQuerySet":
        """The person asked (to answer it) and the match's MEA (to read the answer)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(respondent=user) | Q(match__mea=user))


@tracked("CheckInRequestHistory", exclude=list(CHECKIN_CONTENT))
class CheckInRequest(Transitions, models.Model):
    """The MEA asks the mentor or the mentee to answer a short self check-in; the answer is for the MEA only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {Status.PENDING: {Status.ANSWERED, Status.WITHDRAWN}}

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="checkin_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_requests_to_answer"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("how is it going (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    meetings_held = models.PositiveSmallIntegerField(_("meetings held lately"), null=True, blank=True)
    meetings_cancelled = models.PositiveSmallIntegerField(_("meetings cancelled lately"), null=True, blank=True)
    to_celebrate = models.TextField(_("something to celebrate"), max_length=2000, blank=True)
    worrying = models.TextField(_("anything worrying you"), max_length=2000, blank=True)
    situations = models.JSONField(default=list, blank=True)

    objects = CheckInRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "To celebrate" on the MEA dashboard: the newest answers with something to celebrate.
            models.Index(fields=["-answered_at"], condition=Q(status="answered") & ~Q(to_celebrate=""),
                         name="checkinrequest_celebrate"),
        ]
        constraints = [
            # One open question per person and match: asking again while one is pending is a no-op.
            models.UniqueConstraint(
                fields=["match", "respondent"], condition=Q(status="pending"), name="checkinrequest_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status="answered", answered_at__isnull=False, rating__isnull=False) | ~Q(status="answered"),
                name="checkinrequest_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"self check-in request #{self.pk}"


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MilestoneQuerySet":
        """Celebrations are shared with everyone who may see the match."""
        return self.filter(match__in=Match.objects.visible_to(user))


class Milestone(models.Model):
    """Something worth celebrating in a match, recorded by the mentor, the mentee or the MEA."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="milestones")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("what happened"), max_length=200)
    happened_on = models.DateField(_("when"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-created_at"]
        indexes = [
            models.Index(fields=["match", "-happened_on"], name="milestone_match_happened"),
            # "To celebrate" on the dashboards: the newest milestones.
            models.Index(fields=["-happened_on"], name="milestone_happened"),
        ]

    def __str__(self) -> str:
        return self.what


class ReminderQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ReminderQuerySet":
        return self.filter(recipient=user)


class Reminder(models.Model):
    """One reminder to one person, at most once: the unique key is what makes it once.

    `occurrence` is the due date the reminder is about (a check-in's due date,
    the day a self check-in was asked for, a meeting's day in the recipient's
    time zone), so a new due date is a new reminder and the same due date
    never reminds twice.
    """

    class Kind(models.TextChoices):
        CHECKIN_DUE = "checkin_due", _("Check-in due (MEA)")
        CHECKIN_OVERDUE = "checkin_overdue", _("Check-in overdue (MEA)")
        REQUEST = "request", _("Self check-in asked (mentor or mentee)")
        LONG_OVERDUE = "long_overdue", _("Check-ins long overdue (coordinator)")
        PULSE = "pulse", _("Pulse survey (mentor and mentee)")
        MEETING = "meeting", _("Meeting tomorrow (mentor and mentee)")
        CLOSING = "closing", _("Closing survey (mentor and mentee)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (no longer due)")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    occurrence = models.DateField()
    request = models.ForeignKey(CheckInRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    not_before = models.DateTimeField(help_text=_("09:00 on the due day in the recipient's time zone."))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "match", "occurrence", "recipient"], name="reminder_once"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"), name="reminder_sent_has_time"
            ),
        ]
        indexes = [models.Index(fields=["not_before"], condition=Q(status="pending"), name="reminder_pending")]

    def __str__(self) -> str:
        return f"{self.kind} for match #{self.match_id} to user #{self.recipient_id} ({self.occurrence})"


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SurveyQuerySet":
        """The person who answered; a pulse or closing answer also the match's MEA (it is written for them).
        Program survey answers are the respondent's alone (the insights page shows suppressed counts)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(respondent=user) | Q(kind__in=["pulse", "closing"], match__mea=user))


class Survey(models.Model):
    """One answer of a member's own voice. A row exists once answered; the unique key makes each survey once.

    pulse    how is it going (1-5) and one optional sentence for the MEA, once per check-in period
             (`occurrence`: the check-in due date it belongs to)
    closing  how was it (1-5) and a sentence, once when the match ends (`occurrence`: the end date)
    program  would you recommend being mentored / mentoring here (0-10), twice a year
             (`occurrence`: the first day of the half-year)
    """

    class Kind(models.TextChoices):
        PULSE = "pulse", _("Pulse")
        CLOSING = "closing", _("Closing")
        PROGRAM = "program", _("Program")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surveys")
    role = models.CharField(max_length=10, blank=True, help_text=_("mentor or mentee, as they answered"))
    occurrence = models.DateField()
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(_("one sentence for your MEA (optional)"), max_length=300, blank=True)
    worried = models.BooleanField(_("I am worried about someone's safety"), default=False)
    answered_at = models.DateTimeField(default=timezone.now)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "match", "respondent", "occurrence"], nulls_distinct=False,
                                    name="survey_once"),
            models.CheckConstraint(
                condition=Q(kind="program", score__lte=10) | Q(score__gte=1, score__lte=5),
                name="survey_score_in_range",
            ),
        ]
        indexes = [models.Index(fields=["kind", "answered_at"], name="survey_kind_answered")]

    def __str__(self) -> str:
        return f"{self.kind} answer #{self.pk}"
