"""Reads for the MEA, coordinator and staff dashboards.

Every function here runs a fixed number of queries whatever the number of
matches: the per-match check-in state is denormalised in MatchSupport, and the
open-concern counts come from one grouped query in the escalations app.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matches.models import Match
from meetings.models import Goal, Meeting
from mentorship.paging import MAX_PAGE, Page
from profiles.models import User

from .cadence import cadence, next_due
from .models import CheckIn, CheckInRequest, MatchSupport, Milestone

CELEBRATE_DAYS = 45


def open_concerns_by_match(match_ids: list[int], for_user) -> dict[int, int]:
    """Open concerns per match that `for_user` may know about (one grouped query in the escalations app)."""
    from escalations.selectors import open_concerns_by_match as from_router

    return from_router(match_ids, for_user) if match_ids else {}


@dataclass
class Row:
    match: Match
    support: MatchSupport
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    open_concerns: int = 0
    answers_waiting: int = 0
    cancelled_lately: int = 0

    @property
    def is_high(self) -> bool:
        return self.score >= 20


def _support_of(match: Match) -> MatchSupport:
    support = getattr(match, "support", None)  # missing until the first beat run or check-in
    if support is None:
        support = MatchSupport(match=match, next_due=next_due(timezone.localdate(match.started_at), 0, None))
    return support


def _assess(row: Row, today: date, *, for_coordinator: bool) -> None:
    c, s = cadence(), row.support
    if row.open_concerns:
        row.score += 100 * row.open_concerns
        row.reasons.append(ngettext("%(n)d open concern", "%(n)d open concerns", row.open_concerns) % {"n": row.open_concerns})
    if for_coordinator and row.match.mea_id is None:
        row.score += 50
        row.reasons.append(_("No MEA yet"))
    late = (today - s.next_due).days
    if late > 0:
        row.score += 40 + min(late, 60)
        row.reasons.append(ngettext("Check-in overdue by %(n)d day", "Check-in overdue by %(n)d days", late) % {"n": late})
    elif late >= -3:
        row.score += 5
        row.reasons.append(_("Check-in due soon"))
    if s.checkins_done == 0:
        row.score += 25
        row.reasons.append(_("New match, not checked in yet"))
    if s.last_rating is not None and s.last_rating <= c["low_rating"]:
        row.score += 30
        row.reasons.append(_("Low rating (%(r)d/5)") % {"r": s.last_rating})
    if s.last_rating is not None and s.prev_rating is not None and s.last_rating < s.prev_rating:
        row.score += 15
        row.reasons.append(_("Rating falling (%(a)d → %(b)d)") % {"a": s.prev_rating, "b": s.last_rating})
    if row.cancelled_lately >= c["repeated_cancellations"]:
        row.score += 20
        row.reasons.append(_("Meetings cancelled repeatedly (%(n)d lately)") % {"n": row.cancelled_lately})
    if row.answers_waiting:
        row.score += 10
        row.reasons.append(_("A self check-in answer to read"))


# An MEA's caseload is MEA_CASELOAD_LIMIT (8) matches: one page, normally.
DASHBOARD_PAGE_SIZE = 10
# Every active match of a coordinator's groups.
COORDINATOR_PAGE_SIZE = 25


DashboardPage = Page


class DaysBetween(Func):
    """Whole days from the second date to the first (first - second), as an integer."""

    arg_joiner = " - "
    template = "(%(expressions)s)"  # date - date is an integer in PostgreSQL
    output_field = IntegerField()


def _when(condition: Q, points: int):
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def _open_concerns(user):
    from escalations.models import Concern

    concerns = (
        Concern.objects.visible_to(user).unresolved().filter(match=OuterRef("pk"))
        .order_by().values("match").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(concerns, output_field=IntegerField()), Value(0))


def _answers_waiting(user, *, for_coordinator: bool):
    if for_coordinator:
        return Value(0, output_field=IntegerField())
    answers = (
        CheckInRequest.objects.filter(match=OuterRef("pk"), match__mea=user, status=CheckInRequest.Status.ANSWERED,
                                      read_at=None)
        .order_by().values("match").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(answers, output_field=IntegerField()), Value(0))


def _cancelled_lately(today: date):
    """Meetings of the match cancelled within the cancellations window: from the pair's own meeting records
    (meetings app), not from what anyone typed into a check-in."""
    since = today - timedelta(days=cadence()["cancellations_window_days"])
    cancelled = (
        Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.CANCELLED, closed_at__date__gte=since)
        .order_by().values("match").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(cancelled, output_field=IntegerField()), Value(0))


def meetings_lately(match: Match, user, today: date | None = None) -> dict[str, int]:
    """Meetings held and cancelled within the cancellations window, from the records (one query)."""
    since = (today or timezone.localdate()) - timedelta(days=cadence()["cancellations_window_days"])
    counts = Meeting.objects.visible_to(user).filter(match=match, closed_at__date__gte=since).aggregate(
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
    )
    return {"held": counts["held"] or 0, "cancelled": counts["cancelled"] or 0,
            "days": cadence()["cancellations_window_days"]}


def need_annotations(matches: QuerySet, user, *, for_coordinator: bool, today: date) -> QuerySet:
    """`matches` annotated with `need`, the score `_assess` gives, and `due`, the next check-in date.

    In SQL so the database ranks the whole list and only the shown page is
    loaded. `_assess` (Python) still writes the reasons for the rows shown;
    the two agree (support/tests/test_dashboard_order.py checks it).
    """
    c = cadence()
    first = sorted(c["first"])
    first_due_days = first[0] if first else c["every"]
    qs = matches.annotate(
        open_concerns=_open_concerns(user),
        answers_waiting=_answers_waiting(user, for_coordinator=for_coordinator),
        cancelled_lately=_cancelled_lately(today),
        # Before the first beat run or check-in a match has no support row: due first_due_days after it started.
        due=Coalesce(
            F("support__next_due"),
            Cast(Cast("started_at", DateField()) + Value(timedelta(days=first_due_days)), DateField()),
        ),
    )
    qs = qs.annotate(late=DaysBetween(Value(today, output_field=DateField()), F("due")))
    need = (
        F("open_concerns") * 100
        + (_when(Q(mea__isnull=True), 50) if for_coordinator else Value(0))
        + Case(
            When(late__gt=0, then=Value(40) + Least(F("late"), Value(60))),
            When(late__gte=-3, then=Value(5)),
            default=Value(0), output_field=IntegerField(),
        )
        + _when(Q(support__checkins_done__isnull=True) | Q(support__checkins_done=0), 25)
        + _when(Q(support__last_rating__lte=c["low_rating"]), 30)
        + _when(Q(support__last_rating__lt=F("support__prev_rating")), 15)
        + _when(Q(cancelled_lately__gte=c["repeated_cancellations"]), 20)
        + _when(Q(answers_waiting__gt=0), 10)
    )
    return qs.annotate(need=ExpressionWrapper(need, output_field=IntegerField()))


def dashboard_page(matches: QuerySet, user, *, page: int = 1, for_coordinator: bool = False, today: date | None = None,
                   per_page: int = DASHBOARD_PAGE_SIZE) -> DashboardPage:
    """One page of the active matches, most in need first, each with the reasons it is high.

    Two queries whatever the number of matches: the database ranks every
    match by `need_annotations` and returns only the page's ids (with the
    total, a window count over the ranked list); then those rows are loaded
    with their people, so the joins run for the page, not the whole list.
    """
    today = today or timezone.localdate()
    ranked = (
        need_annotations(matches.active(), user, for_coordinator=for_coordinator, today=today)
        .annotate(total=Window(Count("pk")))
        .order_by("-need", "due", "pk")
        .values_list("pk", "total")
    )
    number = max(1, min(page, MAX_PAGE))
    found = list(ranked[(number - 1) * per_page: number * per_page])
    if not found and number > 1:  # past the last page (an old link): show the first
        number = 1
        found = list(ranked[:per_page])
    if not found:
        return DashboardPage(rows=[], total=0, number=1, per_page=per_page)
    items = (
        matches.filter(pk__in=[pk for pk, _total in found])
        .annotate(open_concerns=_open_concerns(user), answers_waiting=_answers_waiting(user, for_coordinator=for_coordinator),
                  cancelled_lately=_cancelled_lately(today))
        # The MEA's page leaves out the MEA (themselves): fewer tables, a quicker plan.
        .select_related("mentor__profile", "mentee__profile", "group", "support",
                        *(["mea__profile"] if for_coordinator else []))
    )
    rows = []
    for match in items:
        row = Row(match=match, support=_support_of(match), open_concerns=match.open_concerns,
                  answers_waiting=match.answers_waiting, cancelled_lately=match.cancelled_lately)
        _assess(row, today, for_coordinator=for_coordinator)
        rows.append(row)
    order = {pk: i for i, (pk, _total) in enumerate(found)}
    rows.sort(key=lambda r: order[r.match.pk])
    return DashboardPage(rows=rows, total=found[0][1], number=number, per_page=per_page)


def dashboard_rows(matches: QuerySet, user, *, for_coordinator: bool = False, today: date | None = None) -> list[Row]:
    """Every active match, most in need first (for small lists: seed checks and tests)."""
    return dashboard_page(matches, user, for_coordinator=for_coordinator, today=today, per_page=10**9).rows


@dataclass
class Celebration:
    match_id: int
    mentor: str
    mentee: str
    what: str
    on: date
    source: str

    @property
    def pair(self) -> str:
        return f"{self.mentor} ↔ {self.mentee}"


def celebrations(matches: QuerySet, user, *, include_checkins: bool, limit: int = 15) -> list[Celebration]:
    """What to celebrate lately: milestones, and (for the MEA only) what they heard in check-ins.

    Every read goes through its model's visible_to. Two
    queries whatever the number of matches: the newest `limit` of each source
    in one narrow UNION (few tables, so Postgres plans it in well under a
    millisecond; joining the names in made planning cost 20 times the run),
    then the names of the pairs of those (at most `limit`) matches.
    """
    since = timezone.localdate() - timedelta(days=CELEBRATE_DAYS)
    ids = matches.active().values("pk")
    columns = ("match_id", "what_said", "on", "source")

    def part(qs, what: str, on, source: str):
        return (qs.annotate(what_said=F(what), on=on, source=Value(source))
                .values_list(*columns).order_by("-on")[:limit])

    parts = [part(Milestone.objects.visible_to(user).filter(match__in=ids, happened_on__gte=since),
                  "what", F("happened_on"), "milestone")]
    if include_checkins:
        parts.append(part(
            CheckIn.objects.visible_to(user).filter(match__in=ids, held_on__gte=since).exclude(to_celebrate=""),
            "to_celebrate", F("held_on"), "check-in"))
        parts.append(part(
            CheckInRequest.objects.visible_to(user).filter(
                match__in=ids, match__mea=user, status=CheckInRequest.Status.ANSWERED, answered_at__date__gte=since,
            ).exclude(to_celebrate=""),
            "to_celebrate", Cast("answered_at", DateField()), "self check-in"))
        # Goals the pair reached (their own words, confidential to the pair and the MEA: Goal.visible_to).
        parts.append(part(
            Goal.objects.visible_to(user).filter(match__in=ids, match__mea=user, status=Goal.Status.REACHED,
                                                 reached_at__date__gte=since),
            "text", Cast("reached_at", DateField()), "goal"))
    qs = parts[0].union(*parts[1:], all=True).order_by("-on")[:limit] if len(parts) > 1 else parts[0]
    found = [dict(zip(columns, values, strict=True)) for values in qs]
    if not found:
        return []
    pairs = {
        m.pk: m for m in Match.objects.visible_to(user).filter(pk__in={row["match_id"] for row in found})
        .select_related("mentor__profile", "mentee__profile").only(
            "mentor__email", "mentor__profile__display_name", "mentee__email", "mentee__profile__display_name")
    }
    labels = {"milestone": _("milestone"), "check-in": _("check-in"), "self check-in": _("self check-in"),
              "goal": _("goal reached")}
    return [
        Celebration(row["match_id"], str(pairs[row["match_id"]].mentor), str(pairs[row["match_id"]].mentee),
                    row["what_said"], row["on"], labels[row["source"]])
        for row in found if row["match_id"] in pairs
    ]


@dataclass
class Compliance:
    mea: User
    checkins: int
    on_time: int
    active_matches: int
    overdue_now: int

    @property
    def share_on_time(self) -> int | None:
        return round(100 * self.on_time / self.checkins) if self.checkins else None


def compliance_by_mea(today: date | None = None) -> list[Compliance]:
    """Per MEA: share of check-ins held on or before their due date, and matches overdue now (3 queries)."""
    today = today or timezone.localdate()
    done = {
        r["mea_id"]: r
        for r in CheckIn.objects.values("mea_id").annotate(
            total=Count("pk"), on_time=Count("pk", filter=Q(held_on__lte=F("due_on")))
        )
    }
    load = {
        r["match__mea_id"]: r
        for r in MatchSupport.objects.filter(match__status=Match.Status.ACTIVE, match__mea__isnull=False)
        .values("match__mea_id").annotate(active=Count("pk"), overdue=Count("pk", filter=Q(next_due__lt=today)))
    }
    people = User.objects.filter(pk__in=set(done) | set(load)).select_related("profile")
    rows = [
        Compliance(
            mea=p, checkins=done.get(p.pk, {}).get("total", 0), on_time=done.get(p.pk, {}).get("on_time", 0),
            active_matches=load.get(p.pk, {}).get("active", 0), overdue_now=load.get(p.pk, {}).get("overdue", 0),
        )
        for p in people
    ]
    rows.sort(key=lambda r: (r.share_on_time if r.share_on_time is not None else 101, -r.overdue_now))
    return rows
