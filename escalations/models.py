"""Concern reports, their history and their notifications.

A Concern is saved together with its routing decision (tier, the MEA told,
whether staff were told). Its status moves open → acknowledged → in progress →
resolved, only along TRANSITIONS, and every change is a ConcernEvent. The
acknowledgement deadlines in force when it was made are copied onto it.

Who sees a report (Concern.objects.visible_to), deny by default:
- the reporter sees their own reports;
- the MEA the report was routed to sees it (tier 1 and monitor reports), and
  never a report about themselves;
- staff see every report that reached staff (tier 2 and 3, and tier 1 once
  escalated); a tier-1 report the MEA still holds is not theirs to read;
- coordinators see no report content (what a member confides is for the MEA
  and staff); they see only what their other roles give them.

A report's handling is its timeline (ConcernEvent); its other changes are in the
program's history (audit/, never what was reported), and every read by a handler
in the read log (audit.AccessEvent, through services.concern_record_access).
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from profiles.history import tracked
from profiles.models import ScopedQuerySet, Transitions

from .routing import ABOUT_CHOICES, Kind, Tier, situation_labels

# The tier in words for inboxes, queues and notifications (content-free by design).
URGENCY = {1: _("Within a few days"), 2: _("Needs staff today"), 3: _("Urgent")}
# Who handles a report, in words for the staff console (the stored choices are the bare keys).
KIND_WORDS = {Kind.MEA: _("The MEA handles it"), Kind.MONITOR: _("Staff and the MEA monitor"),
              Kind.POLICY: _("Staff only (program policy)"), Kind.EMERGENCY: _("Emergency")}
URGENCY_CLASS = {1: "tier-1", 2: "tier-2", 3: "tier-3"}  # static/css (app.css, admin.css): word and colour


class ConcernQuerySet(models.QuerySet):

    def visible_to(self, user) -> "ConcernQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Q(reporter=user)
        # routed_to_mea is only ever set when the MEA may be told; the about-check
        # is kept here too so a report about an MEA can never reach them.
        as_mea = Q(routed_to_mea=user) & ~Q(about="mea")
        if user.is_program_staff:
            return self.filter(mine | as_mea | Q(escalated_to_staff=True))
        return self.filter(mine | as_mea)

    def unresolved(self) -> "ConcernQuerySet":
        return self.exclude(status=Concern.Status.RESOLVED)

    def by_urgency(self) -> "ConcernQuerySet":
        """Open work first: unresolved before resolved, then the highest tier, then the nearest deadline."""
        resolved_last = Case(When(status=Concern.Status.RESOLVED, then=1), default=0, output_field=IntegerField())
        return self.annotate(resolved_last=resolved_last).order_by("resolved_last", "-tier", "ack_deadline", "pk")


# A report's handling (routing, acknowledgement, assignment, escalation, resends, resolution,
# details added) is its people-facing timeline, ConcernEvent, written by the services; the
# history (audit/) records only the other changes (the report re-pointed to another match,
# person or group) and deletions: nothing twice (docs/AUDIT.md). What was reported is in neither.
@tracked("ConcernHistory", pghistory.UpdateEvent(), pghistory.DeleteEvent(),
         fields=["reporter", "match", "subject", "group", "source"])
class Concern(Transitions, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Report form")
        CHECKIN = "checkin", _("Check-in")
        CHAT = "chat", _("Chat board")

    TIER_CHOICES = [(Tier.MEA, _("1 · MEA")), (Tier.STAFF, _("2 · Staff")), (Tier.EMERGENCY, _("3 · Emergency"))]
    KIND_CHOICES = [(k.value, k.value) for k in Kind]

    # The allowed moves, written once. Escalating to staff reopens a report for
    # staff to acknowledge (services.concern_escalate), which is not a status move.
    TRANSITIONS = {
        Status.OPEN: {Status.ACKNOWLEDGED},
        Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.RESOLVED},
        Status.IN_PROGRESS: {Status.RESOLVED},
        Status.RESOLVED: set(),
    }

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_reported")
    # The match the report concerns: the reporter's own (about its mentee, mentor or MEA,
    # or about the reporter), or none (about someone outside a match, or a member with no match).
    match = models.ForeignKey("matches.Match", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns")
    about = models.CharField(_("about"), max_length=10, choices=ABOUT_CHOICES)
    # The person named, when the report is about a member outside the reporter's match.
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("about whom"))
    # The group it happened in (the match's, or one the reporter shares with the person):
    # staff filter by it, and it chooses the emergency numbers shown.
    group = models.ForeignKey("profiles.SupportGroup", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("group"))
    situations = models.JSONField(_("situations"), default=list)
    details = models.TextField(_("details"), blank=True, max_length=5000)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)

    # The routing decision, saved in the same transaction as the report.
    tier = models.PositiveSmallIntegerField(choices=TIER_CHOICES)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    routed_to_mea = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns_routed",
        verbose_name=_("MEA"),
    )
    escalated_to_staff = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    routing_reasons = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns_assigned",
        verbose_name=_("staff member"),
    )
    # Deadlines in force when the report was made (hours by tier), and the current one.
    deadlines = models.JSONField(default=dict)
    ack_deadline = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveSmallIntegerField(default=0)
    all_staff_notified_at = models.DateTimeField(null=True, blank=True)
    # Rounds of "every staff member told" so far: the chain repeats until someone acknowledges.
    all_staff_rounds = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="concern_tier_known"),
            # Staff-tier reports reach staff from the start.
            models.CheckConstraint(condition=Q(tier=1) | Q(escalated_to_staff=True), name="concern_staff_tier_escalated"),
            models.CheckConstraint(
                condition=~Q(status="resolved") | (Q(resolved_at__isnull=False) & ~Q(outcome="")),
                name="concern_resolved_has_outcome",
            ),
            # A report about the MEA is never routed to an MEA.
            models.CheckConstraint(condition=~Q(about="mea") | Q(routed_to_mea__isnull=True), name="concern_not_to_named_mea"),
            # About someone in a match needs that match; about someone outside one reaches no MEA.
            models.CheckConstraint(condition=~Q(about__in=["mentee", "mentor", "mea"]) | Q(match__isnull=False),
                                   name="concern_match_role_has_match"),
            models.CheckConstraint(condition=~Q(about__in=["member", "someone"]) | Q(routed_to_mea__isnull=True),
                                   name="concern_outside_match_not_to_mea"),
        ]
        indexes = [
            models.Index(fields=["match", "status"], name="concern_match_status"),
            models.Index(fields=["status", "ack_deadline"], name="concern_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"Concern #{self.pk} (tier {self.tier}, {self.get_status_display()})"

    @property
    def situation_labels(self) -> list[str]:
        return situation_labels(self.situations)

    @property
    def urgency(self) -> str:
        """The tier in words, never what was reported (shown with its colour, never colour alone)."""
        return str(URGENCY[self.tier])

    @property
    def kind_in_words(self) -> str:
        return str(KIND_WORDS.get(self.kind, self.kind))

    @property
    def urgency_class(self) -> str:
        return URGENCY_CLASS[self.tier]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.ack_deadline < timezone.now()

    def next_step(self) -> str:
        """What happens next, in words for the reporter (no handler notes)."""
        who = _("program staff") if self.escalated_to_staff else _("your MEA")
        who_starts = capfirst(who)  # "Your MEA", not str.capitalize()'s "Your mea"
        if self.status == self.Status.OPEN:
            return _("Waiting for %(who)s to acknowledge it (by %(when)s at the latest).") % {
                "who": who, "when": date_format(timezone.localtime(self.ack_deadline), "DATETIME_FORMAT")}
        if self.status == self.Status.ACKNOWLEDGED:
            return _("%(who)s has seen it and will reach out to you.") % {"who": who_starts}
        if self.status == self.Status.IN_PROGRESS:
            return _("%(who)s is working on it with you.") % {"who": who_starts}
        return _("Resolved. You can report again at any time.")


class ConcernEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConcernEventQuerySet":
        """A report's history: all of it for those who may handle the report (the MEA it
        was routed to, unless it is about them; staff once it reached staff); the public
        lines (never notes or handler reasons) for its reporter."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        handles = Q(concern__routed_to_mea=user) & ~Q(concern__about="mea")
        if user.is_program_staff:
            handles |= Q(concern__escalated_to_staff=True)
        return self.filter(handles | Q(concern__reporter=user, what__in=ConcernEvent.PUBLIC))


class ConcernEvent(models.Model):
    """One line of a report's history: who did what, when. Notes are for handlers only."""

    class What(models.TextChoices):
        RAISED = "raised", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        STARTED = "started", _("Work started")
        NOTE = "note", _("Note")
        ESCALATED = "escalated", _("Escalated to staff")
        ASSIGNED = "assigned", _("Assigned")
        RESENT = "resent", _("Staff notified again")
        ALL_STAFF = "all_staff", _("Every staff member notified")
        RESOLVED = "resolved", _("Resolved")
        DEBRIEF = "debrief", _("Debrief")
        DETAILS = "details", _("Details added by the reporter")

    # What the reporter may see of the history (never notes or handler reasons).
    PUBLIC = {What.RAISED, What.ACKNOWLEDGED, What.STARTED, What.ESCALATED, What.RESOLVED, What.DETAILS}

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(max_length=14, choices=What.choices)
    note = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConcernEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_what_display()} by {self.actor or 'the system'}"


class DebriefQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DebriefQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(person=user) | Q(owner=user)
        if user.is_program_staff:
            q |= Q(concern__escalated_to_staff=True)
        return self.filter(q)


class Debrief(Transitions, models.Model):
    """A follow-up offered to a volunteer who reported a staff-tier or emergency situation."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DONE = "done", _("Done")

    TRANSITIONS = {
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED},
        Status.ACCEPTED: {Status.DONE, Status.DECLINED},
        Status.DECLINED: {Status.ACCEPTED},
        Status.DONE: set(),
    }

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="debrief")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debriefs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text=_("Who follows up: the MEA, or staff when there is none."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DebriefQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False), name="debrief_done_has_time"),
        ]

    def __str__(self) -> str:
        return f"Debrief for concern #{self.concern_id} ({self.get_status_display()})"

    @property
    def invitation(self) -> str:
        """Why a debrief is offered, in words that fit what was reported."""
        concern = self.concern
        if concern.kind == "policy":
            return str(_("Being harassed or treated unfairly is not okay, and it can stay with you. Program staff can "
                         "talk it through with you, and about what happens next."))
        if concern.about == "self":
            return str(_("What you are going through matters. Your MEA or program staff can check in with you and "
                         "talk about the support you need."))
        return str(_("Carrying someone else's crisis is heavy. Your MEA or program staff can talk it through with you."))


class GroupEmergencyNumbersQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "GroupEmergencyNumbersQuerySet":
        """Staff, and the members and coordinators of the group (the numbers shown on their reports)."""
        return self.filter(Q(group__memberships__user=user) | Q(group_id__in=user.coordinated_group_ids)).distinct()


class GroupEmergencyNumbers(models.Model):
    """A group's own emergency numbers (another country, a local line), over the program's.

    Any field left blank falls back to the program's number (escalations.guidance).
    The public guidance page never reads this table (it must render with the database
    down); the report pages of a group's members do.
    """

    group = models.OneToOneField("profiles.SupportGroup", on_delete=models.CASCADE, related_name="emergency_numbers")
    emergency = models.CharField(_("emergency services"), max_length=30, blank=True, help_text=_("e.g. 911, 112, 999"))
    crisis_call = models.CharField(_("crisis line (call)"), max_length=30, blank=True)
    crisis_text = models.CharField(_("crisis line (text)"), max_length=30, blank=True)
    crisis_chat_url = models.URLField(_("crisis line chat link"), blank=True)
    crisis_name = models.CharField(_("crisis line name"), max_length=80, blank=True)
    dv_call = models.CharField(_("domestic violence hotline (call)"), max_length=30, blank=True)
    dv_text = models.CharField(_("domestic violence hotline (text number)"), max_length=30, blank=True)
    dv_text_word = models.CharField(_("word to text the domestic violence hotline"), max_length=20, blank=True)
    child_call = models.CharField(_("child abuse hotline (call)"), max_length=30, blank=True)

    objects = GroupEmergencyNumbersQuerySet.as_manager()

    class Meta:
        verbose_name = _("group emergency numbers")
        verbose_name_plural = _("group emergency numbers")

    def __str__(self) -> str:
        return f"Emergency numbers for {self.group}"
