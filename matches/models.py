"""Matches between a mentor and a mentee.

A match is created active from an accepted proposal and later ended. The MEA
who supports it is a field of the match, so the escalation router needs only
this app to know who to tell.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.history import tracked
from profiles.models import Profile, ScopedQuerySet, Transitions


class MatchQuerySet(ScopedQuerySet):

    def scoped_to(self, user) -> "MatchQuerySet":
        """The two people in it, its MEA, coordinators of its group, staff."""
        return self.filter(
            Q(mentor=user) | Q(mentee=user) | Q(mea=user) | Q(group_id__in=user.coordinated_group_ids)
        )

    def mentored_by(self, user) -> "MatchQuerySet":
        """The person's own matches as mentor: a part of `visible_to(user)` (the mentor is
        one of its people), written without its OR of roles so that Postgres estimates the
        rows and walks the (mentor, status, -started_at) index for a long list."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(mentor=user)

    def supported_by(self, user) -> "MatchQuerySet":
        """The matches the person supports as MEA: a part of `visible_to(user)`, written
        without its OR of roles so that Postgres walks the (mea, status, -need_score) index."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(mea=user)

    def coordinated_by(self, user) -> "MatchQuerySet":
        """The matches of the groups the person coordinates: a part of `visible_to(user)`."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(group_id__in=user.coordinated_group_ids)

    def active(self) -> "MatchQuerySet":
        return self.filter(status=Match.Status.ACTIVE)


# Its lifecycle (started with its first MEA, ended: status, dates, who ended it and how it
# went) is the people-facing timeline, MatchEvent, written by the services; the history
# (audit/) records only the later changes of the pairing, the group and the MEA, and
# deletions: nothing twice (docs/AUDIT.md). The ending's private words are in neither.
@tracked("MatchHistory", pghistory.UpdateEvent(), pghistory.DeleteEvent(), fields=["mentor", "mentee", "group", "mea"])
class Match(Transitions, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    TRANSITIONS = {Status.ACTIVE: {Status.ENDED}}

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
    # Ending: the reason is private (the person who ended it, coordinators, staff);
    # the gratitude note is delivered to the other person.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(_("private reason"), max_length=2000, blank=True)
    gratitude_note = models.TextField(_("a note of thanks to the other person"), max_length=2000, blank=True)
    suitability_rating = models.PositiveSmallIntegerField(_("how well suited was this pairing"), null=True, blank=True)
    # How much the match needs its MEA's attention, as the dashboards rank it: written by
    # support.need (the one ranking) whenever its inputs change, and nightly as days pass.
    need_score = models.IntegerField(default=0, editable=False)

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
            models.CheckConstraint(
                condition=Q(suitability_rating__isnull=True) | Q(suitability_rating__gte=1, suitability_rating__lte=5),
                name="match_rating_1_to_5",
            ),
        ]
        indexes = [
            # The mentor's current and past lists, a page at a time, newest first.
            models.Index(fields=["mentor", "status", "-started_at"], name="match_mentor_status_started"),
            # The MEA's and the coordinator's dashboards, most in need first, a page at a time.
            models.Index(fields=["mea", "status", "-need_score", "id"], name="match_mea_need"),
            models.Index(fields=["group", "status", "-need_score", "id"], name="match_group_need"),
            # The staff changelist, newest first (the admin adds -id for a stable order):
            # a page is read along it instead of sorting every match (94 -> 20 ms at 126,838).
            models.Index(fields=["-started_at", "-id"], name="match_started_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.mentee}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def involves(self, user) -> bool:
        return user.pk in (self.mentor_id, self.mentee_id)

    def other_person(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor


# --- Becoming a mentor -------------------------------------------------------


class Quality(models.TextChoices):
    """The seed's mentor qualities; an applicant claims some, never necessarily all."""

    EXPERIENCE = "experience", _("Experience: about twelve months in a group, or similar depth of healing")
    PRESENCE = "presence", _("Presence: sensing others' words and feelings with equanimity")
    COMPASSION = "compassion", _("Compassion: understanding and non-judgemental")
    POSITIVITY = "positivity", _("Positivity: an example of healthy healing")
    RESPONSIVENESS = "responsiveness", _("Responsiveness: willing and available to connect")
    AUTHENTICITY = "authenticity", _("Authenticity: honest perspective, respecting other paths")
    ENGAGEMENT = "engagement", _("Engagement: taking part in a support group")
    HEALTH = "health", _("Health: boundaries, self-care, watching for compassion fatigue")
    SAFETY = "safety", _("Safety: protects privacy; not a close friend or partner of mentees")


class MentorApplicationQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "MentorApplicationQuerySet":
        """The applicant, coordinators of the group applied to, staff."""
        return self.filter(Q(applicant=user) | Q(group_id__in=user.coordinated_group_ids))

    def pending(self) -> "MentorApplicationQuerySet":
        return self.filter(status=MentorApplication.Status.PENDING)


class MentorApplication(Transitions, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    TRANSITIONS = {Status.PENDING: {Status.APPROVED, Status.DECLINED}}

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_applications"
    )
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.PROTECT, related_name="mentor_applications")
    months_in_group = models.PositiveSmallIntegerField(_("months in a group"))
    qualities = models.JSONField(_("qualities"), default=list, help_text=_("Keys of Quality the applicant claims."))
    topics = models.ManyToManyField("profiles.Topic", blank=True, related_name="+", verbose_name=_("topics"))
    experiences = models.TextField(_("experiences you can speak to"), max_length=2000, blank=True)
    capacity = models.PositiveSmallIntegerField(_("mentees at once"), default=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("note to the applicant"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = MentorApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(status="pending"), name="mentorapplication_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=10), name="mentorapplication_capacity_range"
            ),
        ]
        indexes = [models.Index(fields=["group", "status"], name="mentorapp_group_status")]

    def __str__(self) -> str:
        return f"{self.applicant} ({self.get_status_display()})"

    @property
    def quality_labels(self) -> list[str]:
        labels = dict(Quality.choices)
        return [str(labels[q]).split(":")[0] for q in self.qualities if q in labels]


class MentorProfileQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "MentorProfileQuerySet":
        """Their own; mentors sharing a group with the reader (or in a group they coordinate); staff."""
        groups = Q(user__memberships__group_id__in=user.member_group_ids) | Q(
            user__memberships__group_id__in=user.coordinated_group_ids
        )
        return self.filter(Q(user=user) | groups).distinct()

    def available(self) -> "MentorProfileQuerySet":
        return self.filter(status=MentorProfile.Status.AVAILABLE)

    def with_load(self) -> "MentorProfileQuerySet":
        return self.annotate(
            active_count=models.Count(
                "user__mentor_matches", filter=Q(user__mentor_matches__status="active"), distinct=True
            )
        )


class MentorProfile(Transitions, models.Model):
    """An approved mentor: how many mentees at once, and whether they take new ones."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        PAUSED = "paused", _("Paused: no new mentees")
        RETIRED = "retired", _("Retired")

    TRANSITIONS = {
        Status.AVAILABLE: {Status.PAUSED, Status.RETIRED},
        Status.PAUSED: {Status.AVAILABLE, Status.RETIRED},
        Status.RETIRED: {Status.AVAILABLE},
    }

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile")
    capacity = models.PositiveSmallIntegerField(_("mentees at once"), default=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    approved_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=10), name="mentorprofile_capacity_range"),
        ]
        indexes = [models.Index(fields=["status"], name="mentorprofile_status")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"


class MenteeRowQuerySet(ScopedQuerySet):
    """Rows about one mentee (their preferences, since when they wait)."""

    def scoped_to(self, user) -> "MenteeRowQuerySet":
        """The mentee, coordinators of the mentee's groups, staff."""
        return self.filter(
            Q(mentee=user) | Q(mentee__memberships__group_id__in=user.coordinated_group_ids)
        ).distinct()


class MenteeWaiting(models.Model):
    """A mentee waiting for a mentor in one of their groups, and since when: the later of their
    mentee role's start and their last match's end. A row exists exactly while the mentee waits
    (an open mentee role, no active match) in a group they belong to, so the pairing board reads
    its page, and counts it, along the (group, since) index. Kept by matches.waiting."""

    # No index of their own: the unique (mentee, group) and the (group, since, mentee) indexes serve.
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.CASCADE, related_name="+", db_index=False)
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waiting",
                               db_index=False)
    since = models.DateTimeField()

    objects = MenteeRowQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentee", "group"], name="mentee_waiting_once")]
        indexes = [models.Index(fields=["group", "since", "mentee"], name="mentee_waiting_group_since")]

    def __str__(self) -> str:
        return f"waiting since {self.since:%Y-%m-%d}"


class MenteePreference(models.Model):
    """What a mentee hopes for in a mentor. Soft unless `gender_required`."""

    mentee = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_preference")
    preferred_gender = models.CharField(
        _("mentor's gender"),
        max_length=20,
        blank=True,
        choices=[("", _("No preference")), *[c for c in Profile.Gender.choices if c[0]]],
    )
    gender_required = models.BooleanField(_("only mentors of this gender"), default=False)
    topics = models.ManyToManyField(
        "profiles.Topic", blank=True, related_name="+", verbose_name=_("topics I'd like to talk about")
    )
    note = models.TextField(_("anything else that would help"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MenteeRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gender_required=False) | ~Q(preferred_gender=""), name="menteepref_required_needs_gender"
            )
        ]

    def __str__(self) -> str:
        return f"preferences of {self.mentee}"


# --- Proposals: the one way a match starts -----------------------------------


class ProposalQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ProposalQuerySet":
        """The two people in it, coordinators of its group, staff."""
        return self.filter(Q(mentor=user) | Q(mentee=user) | Q(group_id__in=user.coordinated_group_ids))

    def open(self) -> "ProposalQuerySet":
        return self.filter(status=Proposal.Status.OPEN)


class Proposal(Transitions, models.Model):
    """A suggested pair. Becomes a match only when both sides accept."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Suggested by a coordinator")
        MENTOR = "mentor", _("Offered by the mentor")
        MENTEE = "mentee", _("Asked by the mentee")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for answers")
        ACCEPTED = "accepted", _("Accepted by both")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {Status.OPEN: {Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN}}

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_proposals")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_proposals")
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.PROTECT, related_name="proposals")
    initiated_by = models.CharField(max_length=12, choices=Kind.choices)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why this pair"), max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    # Each side confirms, when accepting, that they are not close friends or romantic partners.
    mentor_confirmed_not_close = models.BooleanField(default=False)
    mentee_confirmed_not_close = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    match = models.OneToOneField(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="proposal_not_with_self"),
            models.UniqueConstraint(
                fields=["mentor", "mentee"], condition=Q(status="open"), name="proposal_one_open_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(mentor_accepted_at__isnull=True) | Q(mentor_confirmed_not_close=True),
                name="proposal_mentor_accept_confirms",
            ),
            models.CheckConstraint(
                condition=Q(mentee_accepted_at__isnull=True) | Q(mentee_confirmed_not_close=True),
                name="proposal_mentee_accept_confirms",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="proposal_status_expires"),
            models.Index(fields=["group", "status"], name="proposal_group_status"),
            models.Index(fields=["mentee", "status"], name="proposal_mentee_status"),
            models.Index(fields=["mentor", "status"], name="proposal_mentor_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def side_of(self, user) -> str | None:
        if user.pk == self.mentor_id:
            return "mentor"
        if user.pk == self.mentee_id:
            return "mentee"
        return None

    def accepted_by(self, side: str) -> bool:
        return getattr(self, f"{side}_accepted_at") is not None

    def may_withdraw(self, user) -> bool:
        """Whoever started it, coordinators of its group and staff take a proposal back."""
        return self.initiator_id == user.pk or user.is_program_staff or self.group_id in user.coordinated_group_ids

    def other_person(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor


class UsedLinkQuerySet(ScopedQuerySet):
    """Technical record: staff only (scoped_to allows nobody else)."""


class UsedLink(models.Model):
    """A signed email link that was used: each one works once."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    objects = UsedLinkQuerySet.as_manager()

    def __str__(self) -> str:
        return self.nonce


# --- History -----------------------------------------------------------------


class MatchEventQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "MatchEventQuerySet":
        """Events of the matches and proposals the reader may see."""
        return self.filter(
            Q(match__in=Match.objects.visible_to(user)) | Q(proposal__in=Proposal.objects.visible_to(user))
        )


class MatchEvent(models.Model):
    """Who did what, when, to a proposal or a match. Never holds private text."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REMINDED = "reminded", _("Reminder sent")
        EXPIRED = "expired", _("Expired")
        STARTED = "started", _("Match started")
        MEA_ASSIGNED = "mea_assigned", _("MEA assigned")
        ENDED = "ended", _("Match ended")

    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MatchEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(match__isnull=False) | Q(proposal__isnull=False), name="matchevent_has_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor or 'the system'}"
