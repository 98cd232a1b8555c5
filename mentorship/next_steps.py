"""What each person should do now: the "Next step" every home page leads with (issue 19).

The project package is the one place that knows every app (as roles.py does), and
a next step draws on several: the match (matches), its check-ins and milestones
(support), reports (escalations), the toolkit (community) and the outbox
(profiles). Each function here is a selector a home page calls once; each runs a
small fixed number of queries whatever the size of the program (the home pages'
query budgets, tests/test_query_budgets.py), and returns plain data the shared
template `_next_step.html` renders. An empty state says what will appear here
and what to do meanwhile.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.toolkit import way_for_stage
from escalations.models import Concern
from matches.models import Match
from notifications.selectors import outbox_stuck
from profiles.joining import JoinRequest
from profiles.models import Profile, User
from support.cadence import cadence
from support.cadence import next_due as first_due
from support.models import MatchSupport, MEAProfile, Milestone

# A proposal expiring within this long is "about to expire" on the coordinator's home.
EXPIRING_WITHIN = timedelta(hours=48)


@dataclass
class NextStep:
    title: str
    lines: list[str] = field(default_factory=list)
    url: str = ""
    label: str = ""
    more: list[tuple[str, str]] = field(default_factory=list)  # (url, label)
    empty: bool = False
    # The MEA's reports waiting to be acknowledged, read with their most urgent one: the
    # page passes it to the navigation's count so the home reads it once.
    open_reports: int | None = None


@dataclass
class Relationship:
    """Everything a mentor or mentee needs about their match, read in one query."""

    match: Match
    other: User
    other_role: str
    shared_methods: list[str]
    reach_other: list[str]
    next_due: date | None
    checkins_done: int
    milestone: str | None
    milestone_on: date | None
    mea_reach: str
    way: tuple[str, str, str]
    days_together: int

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due < timezone.localdate()

    @property
    def is_new(self) -> bool:
        return self.checkins_done == 0 and self.days_together < 30


def _day(d) -> str:
    return date_format(d, "DATE_FORMAT")


def _moment(dt) -> str:
    return date_format(timezone.localtime(dt), "DATETIME_FORMAT")


def _reach(profile: Profile | None, user: User) -> list[str]:
    """How to reach a person, in their own preferred ways (for the other side of their match)."""
    lines = [_("Email: %(email)s") % {"email": user.email}]
    if profile is None:
        return lines
    if profile.phone and (profile.connect_phone or profile.connect_text):
        lines.append(_("Phone: %(phone)s") % {"phone": profile.phone})
    if profile.discord:
        lines.append(_("Discord: %(name)s") % {"name": profile.discord})
    if profile.availability:
        lines.append(_("Usually available: %(when)s") % {"when": profile.availability})
    return lines


FLAGS = ("in_person", "phone", "text", "web")


def with_relationship(matches, viewer: User):
    """`matches` (a viewer's own, as mentor or mentee) with what `relationship` needs, in the same query."""
    newest = Milestone.objects.visible_to(viewer).filter(match=OuterRef("pk")).order_by("-happened_on", "-created_at")
    # The viewer's own ways to connect come with the row (their profile is not otherwise loaded).
    mine = {f"rel_my_{flag}": Case(When(mentor=viewer, then=F(f"mentor__profile__connect_{flag}")),
                                   default=F(f"mentee__profile__connect_{flag}")) for flag in FLAGS}
    return matches.annotate(
        rel_next_due=F("support__next_due"), rel_checkins_done=F("support__checkins_done"),
        rel_milestone=Subquery(newest.values("what")[:1]), rel_milestone_on=Subquery(newest.values("happened_on")[:1]),
        rel_mea_reach=Subquery(MEAProfile.objects.visible_to(viewer).filter(user=OuterRef("mea")).values("how_to_reach")[:1]),
        **mine,
    )


def relationship(match: Match, viewer: User) -> Relationship:
    """The relationship as its mentor or mentee sees it: no query if `match` came through
    `with_relationship`, otherwise one (the match comes with both profiles)."""
    if not hasattr(match, "rel_checkins_done"):
        match = with_relationship(Match.objects.filter(pk=match.pk), viewer).select_related(
            "mentor__profile", "mentee__profile", "mea__profile").get()
    row = {key.removeprefix("rel_"): value for key, value in vars(match).items() if key.startswith("rel_")}
    is_mentor = match.mentor_id == viewer.pk
    other = match.mentee if is_mentor else match.mentor
    theirs = getattr(other, "profile", None)
    mine = Profile(**{f"connect_{flag}": bool(row.get(f"my_{flag}")) for flag in FLAGS})
    shared = [m for m in (theirs.connect_methods if theirs else []) if m in mine.connect_methods]
    days = (timezone.now() - match.started_at).days
    done = row.get("checkins_done") or 0
    next_due = row.get("next_due")
    if next_due is None:  # no MatchSupport row until the first beat run or check-in
        next_due = first_due(timezone.localdate(match.started_at), 0, None)
    milestone_on = row.get("milestone_on")
    celebrating = bool(milestone_on and (timezone.localdate() - milestone_on).days <= 14)
    return Relationship(
        match=match, other=other, other_role=_("mentee") if is_mentor else _("mentor"),
        shared_methods=shared, reach_other=_reach(theirs, other),
        next_due=next_due, checkins_done=done,
        milestone=row.get("milestone"), milestone_on=milestone_on, mea_reach=row.get("mea_reach") or "",
        way=way_for_stage(days_together=days, checkins_done=done, celebrating=celebrating), days_together=days,
    )


def _toolkit_link(way) -> tuple[str, str]:
    return (reverse("community:toolkit") + f"#way-{way[0]}",
            _("Toolkit: %(way)s") % {"way": way[1]})


def for_member(user: User, match: Match | None, *, proposals=(), is_mentor: bool) -> tuple[NextStep, Relationship | None]:
    """The next step of a mentor or a mentee, and their current relationship (None if unmatched).

    `proposals` are the open proposals the page already read (no query here).
    """
    waiting_on_me = [p for p in proposals if (p.mentor_accepted_at is None if is_mentor else p.mentee_accepted_at is None)]
    if waiting_on_me:
        p = waiting_on_me[0]
        other = p.mentee if is_mentor else p.mentor
        return NextStep(
            title=_("Answer %(name)s's proposal") % {"name": other.display_name},
            lines=[_("It expires on %(when)s. Take the time you need: saying no is fine, and they will not see a reason.")
                   % {"when": _moment(p.expires_at)}],
            url=reverse("matches:proposal_detail", args=[p.pk]), label=_("Read and answer"),
        ), (relationship(match, user) if match else None)
    if match is None:
        if is_mentor:
            return NextStep(
                title=_("No mentee yet"),
                lines=[_("When a coordinator proposes a mentee, or a mentee asks you, it appears here for you to answer."),
                       _("Meanwhile, the toolkit has the ways of mentoring and questions to start with.")],
                url=reverse("community:toolkit"), label=_("Read the toolkit"), empty=True,
            ), None
        return NextStep(
            title=_("Find a mentor"),
            lines=[_("Tell us what you hope for in a mentor; proposals from mentors and coordinators appear here."),
                   _("Meanwhile, the chat board is open for a one-off talk with another member.")],
            url=reverse("matches:mentee_preferences"), label=_("Say what you hope for"),
            more=[(reverse("community:board"), _("Open the chat board"))], empty=True,
        ), None
    rel = relationship(match, user)
    name = rel.other.display_name
    lines = []
    if rel.shared_methods:
        lines.append(_("You both like to connect by %(ways)s.") % {"ways": ", ".join(rel.shared_methods)})
    lines.append(_("Reach %(name)s — %(how)s") % {"name": name, "how": "; ".join(rel.reach_other)})
    if rel.is_new:
        title = _("Agree with %(name)s how and when you will first meet") % {"name": name}
    elif rel.overdue:
        title = _("Your check-in is overdue: your MEA will be in touch, or reach them first")
    else:
        title = _("Keep meeting %(name)s; next check-in by %(day)s") % {"name": name, "day": _day(rel.next_due)}
    if not rel.overdue:
        lines.append(_("Next check-in with your MEA: by %(day)s.") % {"day": _day(rel.next_due)})
    if rel.milestone:
        lines.append(_("To celebrate: %(what)s (%(day)s).") % {"what": rel.milestone, "day": _day(rel.milestone_on)})
    if match.mea_id:
        reach = rel.mea_reach or match.mea.email
        lines.append(_("Your MEA, %(name)s: %(how)s") % {"name": match.mea.display_name, "how": reach})
    else:
        lines.append(_("No MEA is assigned yet; program staff answer any concern meanwhile."))
    return NextStep(
        title=title, lines=lines, url=reverse("matches:match_detail", args=[match.pk]), label=_("Open your match"),
        more=[_toolkit_link(rel.way)],
    ), rel


def for_mea(user: User, rows) -> NextStep:
    """The MEA's most urgent open report first, then the match most in need (rows: the dashboard's, sorted)."""
    report = (
        Concern.objects.visible_to(user).filter(routed_to_mea=user).unresolved()
        .annotate(open_total=Window(Count("pk", filter=Q(status=Concern.Status.OPEN))))
        .order_by(Case(When(status=Concern.Status.OPEN, then=0), default=1), "-tier", "ack_deadline")
        .only("pk", "tier", "status", "ack_deadline").first()
    )
    step = _mea_step(user, rows, report)
    step.open_reports = report.open_total if report is not None else 0
    return step


def _urgency(report: Concern) -> str:
    """The tier in the words the badges use, inside a sentence: "needs staff today"."""
    words = report.urgency
    return words[:1].lower() + words[1:]


def _mea_step(user: User, rows, report) -> NextStep:
    if report is not None and report.status == Concern.Status.OPEN:
        return NextStep(
            title=_("Acknowledge report #%(n)d (%(urgency)s)") % {"n": report.pk, "urgency": _urgency(report)},
            lines=[_("Acknowledge it by %(when)s; staff are told if it waits longer.") % {"when": _moment(report.ack_deadline)}],
            url=reverse("escalations:inbox_detail", args=[report.pk]), label=_("Open the report"),
        )
    top = rows[0] if rows else None
    if top is not None and top.score > 0:
        m = top.match
        step = NextStep(
            title=_("Check in with %(mentor)s and %(mentee)s") % {
                "mentor": m.mentor.display_name, "mentee": m.mentee.display_name},
            lines=[", ".join(top.reasons)],
            url=reverse("support:checkin_create", args=[m.pk]), label=_("Record a check-in"),
        )
        if report is not None:
            step.more.append((reverse("escalations:inbox_detail", args=[report.pk]),
                              _("Follow up report #%(n)d") % {"n": report.pk}))
        return step
    if top is None:
        return NextStep(
            title=_("No matches to support yet"),
            lines=[_("When a coordinator assigns you a match, it appears here with its next check-in."),
                   _("Meanwhile, tell mentors and mentees how they can reach you.")],
            url=reverse("support:mea_profile_edit"), label=_("How people reach you"), empty=True,
        )
    return NextStep(
        title=_("All your matches are on track"),
        lines=[_("Nothing is due now. The next check-in due is %(day)s.") % {"day": _day(top.support.next_due)}],
        url=reverse("support:match_detail", args=[top.match.pk]), label=_("Open that match"), empty=True,
    )


def for_coordinator(user: User, board) -> NextStep:
    """Join requests, mentors awaiting approval, proposals about to expire, waiting mentees (board: the page's)."""
    soon = timezone.now() + EXPIRING_WITHIN
    expiring = [p for p in board.proposals if p.expires_at <= soon]
    joining = (
        JoinRequest.objects.visible_to(user).filter(status=JoinRequest.Status.PENDING)
        .select_related("user__profile", "group").annotate(waiting=Window(Count("pk"))).order_by("created_at").first()
    )
    if joining is not None:
        return NextStep(
            title=_("%(name)s asked to join %(group)s") % {"name": joining.user.display_name, "group": joining.group.name},
            lines=[_("%(n)d waiting for an answer, oldest first.") % {"n": joining.waiting}],
            url=reverse("support:members"), label=_("Answer requests to join"),
        )
    if board.applications_total:
        a = board.applications[0]
        return NextStep(
            title=_("Review %(name)s's application to mentor") % {"name": a.applicant.display_name},
            lines=[_("%(n)d waiting for a decision, oldest first.") % {"n": board.applications_total}],
            url="#applications", label=_("Review applications"),
        )
    if expiring:
        p = expiring[0]
        return NextStep(
            title=_("A proposal expires soon: %(mentor)s and %(mentee)s") % {
                "mentor": p.mentor.display_name, "mentee": p.mentee.display_name},
            lines=[_("It expires on %(when)s. A word to either person may help them answer.") % {"when": _moment(p.expires_at)}],
            url="#proposals", label=_("See open proposals"),
        )
    if board.waiting_total:
        m = board.waiting[0]
        return NextStep(
            title=_("Find a mentor for %(name)s") % {"name": m.display_name},
            lines=[_("%(n)d mentees are waiting, longest first.") % {"n": board.waiting_total}],
            url=reverse("matches:suggestions", args=[m.pk]), label=_("See suggested mentors"),
        )
    return NextStep(
        title=_("Nobody is waiting"),
        lines=[_("Mentees waiting for a mentor, applications to mentor and proposals about to expire appear here."),
               _("Meanwhile, the check-ins page shows how your groups' matches are doing.")],
        url=reverse("support:coordinator_dashboard"), label=_("See check-ins"), empty=True,
    )


@dataclass
class StaffWork:
    step: NextStep
    reports: list = field(default_factory=list)
    long_overdue_checkins: int = 0
    stuck: dict = field(default_factory=dict)


def for_staff(user: User) -> StaffWork:
    """Open reports by tier then deadline, overdue acknowledgements, long-overdue check-ins, stuck emails."""
    reports = list(
        Concern.objects.visible_to(user).filter(escalated_to_staff=True).unresolved()
        .order_by("-tier", "ack_deadline").only("pk", "tier", "status", "ack_deadline", "created_at")[:5]
    )
    long_late = timezone.localdate() - timedelta(days=cadence()["long_overdue_days"])
    late_checkins = MatchSupport.objects.visible_to(user).filter(
        match__status=Match.Status.ACTIVE, next_due__lt=long_late).count()
    stuck = outbox_stuck()
    if reports:
        # The most urgent report nobody has acknowledged yet, else the most urgent one.
        r = next((c for c in reports if c.status == Concern.Status.OPEN), reports[0])
        verb = _("Acknowledge") if r.status == Concern.Status.OPEN else _("Follow up")
        step = NextStep(
            title=_("%(verb)s report #%(n)d (%(urgency)s)") % {"verb": verb, "n": r.pk, "urgency": _urgency(r)},
            lines=[_("Acknowledge by %(when)s.") % {"when": _moment(r.ack_deadline)}]
            if r.status == Concern.Status.OPEN else [_("Acknowledged; not yet resolved.")],
            url=reverse("admin:escalations_concern_change", args=[r.pk]), label=_("Open the report"),
        )
    elif stuck["failed"] or stuck["pending"]:
        step = NextStep(title=_("Emails are stuck in the outbox"),
                        lines=[_("Check the mail server settings; the outbox retries on its own.")],
                        url=reverse("admin:notifications_delivery_changelist"), label=_("Open the outbox"))
    elif late_checkins:
        step = NextStep(title=_("Check-ins are long overdue"),
                        lines=[_("Their MEAs may need a hand or a lighter caseload.")],
                        url=reverse("support:compliance"), label=_("See MEA compliance"))
    else:
        step = NextStep(
            title=_("No report is waiting for staff"),
            lines=[_("Reports that reach staff appear here by tier, then by deadline."),
                   _("Meanwhile, MEA compliance shows which check-ins are late.")],
            url=reverse("support:compliance"), label=_("See MEA compliance"), empty=True,
        )
    return StaffWork(step=step, reports=reports, long_overdue_checkins=late_checkins, stuck=stuck)
