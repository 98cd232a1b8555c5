"""What the MEA, the coordinator and staff should do now: the "Next step" their home leads with (issue 19).

Each role's next step lives in the lowest app that sees everything it reads and
links to; these read matches, reports (escalations), check-ins (support) and the
outbox (notifications), so they live here. The mentor's and mentee's next step
also reads the toolkit (community) and lives with their homes in the project
package (mentorship/next_steps.py). Each function is a selector a home page calls
once, running a small fixed number of queries whatever the size of the program
(tests/test_query_budgets.py); it returns a `NextStep`, which the shared template
`_next_step.html` renders. An empty state says what will appear here and what to
do meanwhile.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Count, Q, When, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from escalations.models import Concern
from matches.models import Match
from notifications.selectors import outbox_stuck
from profiles.models import User

from .cadence import cadence
from .models import MatchSupport

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


def format_day(d) -> str:
    return date_format(d, "DATE_FORMAT")


def format_moment(dt) -> str:
    return date_format(timezone.localtime(dt), "DATETIME_FORMAT")


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
            lines=[_("Acknowledge it by %(when)s; staff are told if it waits longer.")
                   % {"when": format_moment(report.ack_deadline)}],
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
        lines=[_("Nothing is due now. The next check-in due is %(day)s.") % {"day": format_day(top.support.next_due)}],
        url=reverse("support:match_detail", args=[top.match.pk]), label=_("Open that match"), empty=True,
    )


def for_coordinator(user: User, board) -> NextStep:
    """Join requests, mentors awaiting approval, proposals about to expire, waiting mentees (board: the
    page's, which counts the requests to join with its other counts: no query here)."""
    soon = timezone.now() + EXPIRING_WITHIN
    expiring = [p for p in board.proposals if p.expires_at <= soon]
    if board.join_requests:
        return NextStep(
            title=ngettext("Answer a request to join", "Answer %(n)d requests to join", board.join_requests)
            % {"n": board.join_requests},
            lines=[_("The oldest has waited since %(when)s; the members page lists them, oldest first.")
                   % {"when": format_moment(board.oldest_join_request)}],
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
            lines=[_("It expires on %(when)s. A word to either person may help them answer.")
                   % {"when": format_moment(p.expires_at)}],
            url="#proposals", label=_("See open proposals"),
        )
    if board.waiting:  # the list (its rows are checked as read); the total is counted on the stored rows
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
            lines=[_("Acknowledge by %(when)s.") % {"when": format_moment(r.ack_deadline)}]
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
