"""Reads for the MEA, coordinator and staff dashboards.

Every function here runs a fixed number of queries whatever the number of
matches: the per-match check-in state is denormalised in MatchSupport, the
need score stored on the match (support.need), and the open-concern counts
come from one grouped query in the escalations app.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, DateField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.models import Concern
from matches.models import Match
from meetings.models import Goal, Meeting
from profiles.models import User

from .cadence import cadence
from .models import CheckIn, CheckInRequest, MatchSupport, Milestone
from .need import assess, support_or_fresh

CELEBRATE_DAYS = 45


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


# An MEA's caseload is MEA_CASELOAD_LIMIT (8) matches: one page, normally.
DASHBOARD_PAGE_SIZE = 10
# Every active match of a coordinator's groups.
COORDINATOR_PAGE_SIZE = 25


def _per_match(rows):
    """How many of `rows` belong to the outer query's match (a correlated subquery; 0 for none)."""
    counted = rows.filter(match=OuterRef("pk")).order_by().values("match").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _open_concerns(user):
    return _per_match(Concern.objects.visible_to(user).unresolved())


def _answers_waiting(user, *, for_coordinator: bool):
    if for_coordinator:
        return Value(0, output_field=IntegerField())
    return _per_match(CheckInRequest.objects.filter(match__mea=user, status=CheckInRequest.Status.ANSWERED, read_at=None))


def _cancelled_lately(today: date):
    """Meetings of the match cancelled within the cancellations window: from the pair's own meeting records
    (meetings app), not from what anyone typed into a check-in."""
    since = today - timedelta(days=cadence()["cancellations_window_days"])
    return _per_match(Meeting.objects.filter(status=Meeting.Status.CANCELLED, closed_at__date__gte=since))


def meetings_lately(match: Match, user, today: date | None = None) -> dict[str, int]:
    """Meetings held and cancelled within the cancellations window, from the records (one query)."""
    since = (today or timezone.localdate()) - timedelta(days=cadence()["cancellations_window_days"])
    counts = Meeting.objects.visible_to(user).filter(match=match, closed_at__date__gte=since).aggregate(
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
    )
    return {**counts, "days": cadence()["cancellations_window_days"]}


def dashboard_page(matches: QuerySet, user, *, page=1, for_coordinator: bool = False, today: date | None = None,
                   per_page: int = DASHBOARD_PAGE_SIZE) -> Page:
    """One page of the active matches, most in need first, each with the reasons it is high.

    Ordered by the stored `Match.need_score` (support.need), along the (mea or
    group, status, -need_score, id) index: two queries (Django's Paginator
    counts, then reads the page), whatever the number of matches. The reasons
    are written for the rows shown, counting what this viewer may see.

    The page's matches are chosen in a subquery (their ids, LIMIT per_page) and
    joined to their people, group and check-in state outside it: planning the
    seven-table join for the 10 rows of a page, not for the 2,000 of a long
    list, took Postgres 1.3 ms instead of 2.8.
    """
    today = today or timezone.localdate()
    ranked = matches.active().order_by("-need_score", "pk")
    shown = Paginator(ranked.values_list("pk", flat=True), per_page).get_page(page)
    shown.object_list = list(
        ranked.filter(pk__in=shown.object_list)
        .annotate(open_concerns=_open_concerns(user), answers_waiting=_answers_waiting(user, for_coordinator=for_coordinator),
                  cancelled_lately=_cancelled_lately(today))
        # The MEA's page leaves out the MEA (themselves): fewer tables, a quicker plan.
        .select_related("mentor__profile", "mentee__profile", "group", "support",
                        *(["mea__profile"] if for_coordinator else []))
    )
    rows = []
    c = cadence()  # once for the page, not per row
    for match in shown.object_list:
        support = support_or_fresh(match)
        need = assess(match, support, open_concerns=match.open_concerns, answers_waiting=match.answers_waiting,
                      cancelled_lately=match.cancelled_lately, today=today, c=c)
        rows.append(Row(match=match, support=support, score=need.score, reasons=need.reasons,
                        open_concerns=match.open_concerns, answers_waiting=match.answers_waiting,
                        cancelled_lately=match.cancelled_lately))
    shown.rows = rows
    return shown


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


def celebrations(user, *, as_mea: bool, limit: int = 15) -> list[Celebration]:
    """What to celebrate lately in the person's active matches: as their MEA (Match.supported_by)
    milestones, what they heard in check-ins and self check-ins, and the goals reached; as a
    coordinator (Match.coordinated_by) milestones only.

    Two queries whatever the number of matches: the newest `limit` of each source
    in one narrow UNION (few tables, so Postgres plans it in well under a
    millisecond; joining the names in made planning cost 20 times the run),
    then the names of the pairs of those (at most `limit`) matches.

    Each source in two steps of that query. First the ids of its newest `limit`
    rows in the active matches in scope, read along an index of its date column
    (the models' Meta.indexes), the scope written on the row's own match (its MEA
    or group, and status): one join, so Postgres estimates how many rows it walks
    before it has `limit` of a long caseload and stops there, and for a short
    caseload looks up its few matches instead. (Filtering by `match__in` a list of
    matches, on top of the visible_to join, made it guess a few rows where there
    were thousands, and read every match of the caseload.) Then those rows
    through the model's visible_to: what is shown is read there, and every row in
    scope is visible to the person (they are the match's MEA, or coordinate its
    group), so these are the same newest rows.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    since = timezone.localdate() - timedelta(days=CELEBRATE_DAYS)
    since_start = timezone.make_aware(datetime.combine(since, time.min))  # the day `since` begins, here
    scope = {"match__mea": user} if as_mea else {"match__group_id__in": user.coordinated_group_ids}
    columns = ("match_id", "what_said", "on", "source")

    def part(model, what: str, newest: str, on, source: str, *conditions, **filters):
        ids = (model.objects.filter(*conditions, **scope, match__status=Match.Status.ACTIVE, **filters)
               .order_by(F(newest).desc()).values("pk")[:limit])
        return (model.objects.visible_to(user).filter(pk__in=ids)
                .annotate(what_said=F(what), on=on, source=Value(source))
                .values_list(*columns).order_by(F(newest).desc())[:limit])

    parts = [part(Milestone, "what", "happened_on", F("happened_on"), "milestone", happened_on__gte=since)]
    if as_mea:
        parts.append(part(CheckIn, "to_celebrate", "held_on", F("held_on"), "check-in",
                          ~Q(to_celebrate=""), held_on__gte=since))
        parts.append(part(CheckInRequest, "to_celebrate", "answered_at", Cast("answered_at", DateField()),
                          "self check-in", ~Q(to_celebrate=""), status=CheckInRequest.Status.ANSWERED,
                          answered_at__gte=since_start))
        # Goals the pair reached (their own words, confidential to the pair and the MEA: Goal.visible_to).
        parts.append(part(Goal, "text", "reached_at", Cast("reached_at", DateField()), "goal",
                          status=Goal.Status.REACHED, reached_at__gte=since_start))
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
