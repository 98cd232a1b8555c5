"""Program insights: one function per chart, each a fixed number of aggregate queries.

Every metric takes a Scope (the groups the reader may see, the date range) and
returns a Chart: labels along the x axis and one or more series of numbers. The
page draws the chart from it and the CSV download writes the same numbers, so
the two cannot disagree. No metric reads a row per match: counts, averages and
per-bucket filters run in the database, so the query count does not grow with
the data (tested at two sizes; bench/insights.py times it at 100,000 matches).

The charts read matches, check-ins and the members' own voice (support) and
reports (escalations); adding a chart is adding a function to `available_metrics`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.models import Concern
from matches.models import Match
from profiles.models import Membership, Role, RoleGrant, User
from support.models import CheckIn, Survey

MAX_MONTHS = 61


@dataclass
class Scope:
    group_ids: set[int] | None  # None: every group (staff)
    start: date
    end: date

    def groups_q(self, path: str = "group_id") -> Q:
        return Q() if self.group_ids is None else Q(**{f"{path}__in": self.group_ids})


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    x_label: str
    labels: list[str]
    series: list[tuple[str, list[float | int | None]]]
    kind: str = "bar"  # bar | line
    unit: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    def rows(self) -> list[list]:
        """The numbers behind the chart, one row per x label (the CSV body and the accessible table)."""
        return [[label, *(values[i] for _name, values in self.series)] for i, label in enumerate(self.labels)]

    def header(self) -> list[str]:
        return [self.x_label, *(name for name, _values in self.series)]


def _aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def months(scope: Scope) -> list[tuple[date, date]]:
    """(first day, first day of next month) for each month touching the range, at most MAX_MONTHS."""
    out: list[tuple[date, date]] = []
    cursor = scope.start.replace(day=1)
    while cursor <= scope.end and len(out) < MAX_MONTHS:
        following = (cursor + timedelta(days=32)).replace(day=1)
        out.append((cursor, following))
        cursor = following
    return out


def _month_label(d: date) -> str:
    return d.strftime("%Y-%m")


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def _days(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 86400


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 3600


# --- Matches (matches.Match) -------------------------------------------------------


def active_matches(scope: Scope) -> Chart:
    """Matches active at the end of each month: one query, one filtered count per month."""
    buckets = months(scope)
    now = timezone.now()
    aggregates = {}
    for i, (_first, following) in enumerate(buckets):
        at = min(_aware(following), now)
        aggregates[f"m{i}"] = Count("pk", filter=Q(started_at__lt=at) & (Q(ended_at__isnull=True) | Q(ended_at__gte=at)))
    counts = Match.objects.filter(scope.groups_q()).aggregate(**aggregates) if aggregates else {}
    return Chart(
        slug="active-matches", title=_("Active matches over time"),
        description=_("Number of matches active at the end of each month (or today, for the current month)."),
        x_label=_("Month"), labels=[_month_label(first) for first, _f in buckets],
        series=[(_("Active matches"), [counts.get(f"m{i}", 0) for i in range(len(buckets))])], kind="line",
        extra={"counts": (0,)},
    )


def match_endings(scope: Scope) -> Chart:
    """Matches ended in each month, by who ended them: one grouped query."""
    buckets = months(scope)
    labels = [_month_label(first) for first, _f in buckets]
    ended = Match.objects.filter(
        scope.groups_q(), status=Match.Status.ENDED,
        ended_at__gte=_aware(buckets[0][0]) if buckets else timezone.now(),
        ended_at__lt=_aware(buckets[-1][1]) if buckets else timezone.now(),
    )
    sides = [("by_mentor", _("Ended by the mentor")), ("by_mentee", _("Ended by the mentee")),
             ("by_other", _("Ended by staff or a coordinator"))]
    rows = ended.annotate(month=TruncMonth("ended_at")).values("month").annotate(
        by_mentor=Count("pk", filter=Q(ended_by=F("mentor"))),
        by_mentee=Count("pk", filter=Q(ended_by=F("mentee"))),
        by_other=Count("pk", filter=~Q(ended_by=F("mentor")) & ~Q(ended_by=F("mentee")) | Q(ended_by__isnull=True)),
    )
    # Who ended a match is charted; the reason is private free text.
    by_month = {_month_label(timezone.localtime(r["month"])): r for r in rows}
    return Chart(
        slug="match-endings", title=_("Match endings"),
        description=_("Matches that ended in each month, by who ended them. Reasons are private and not charted."),
        x_label=_("Month"), labels=labels,
        series=[(name, [by_month.get(label, {}).get(key, 0) for label in labels]) for key, name in sides],
        extra={"counts": tuple(range(len(sides)))},
    )


# --- Mentees waiting and time to match (profiles + matches) ------------------------

WAIT_BUCKETS = [(0, 7), (7, 30), (30, 90), (90, None)]


def _mentee_grants(scope: Scope):
    grants = RoleGrant.objects.filter(role=Role.MENTEE, ended_at=None)
    if scope.group_ids is not None:
        grants = grants.filter(user_id__in=Membership.objects.filter(group_id__in=scope.group_ids).values("user_id"))
    return grants


def waiting_mentees(scope: Scope) -> Chart:
    """Mentees without an active match today, by how long they have been mentees: one query."""
    now = timezone.now()
    # NOT EXISTS plans as an anti-join (faster than NOT IN over 100,000 active matches).
    waiting = _mentee_grants(scope).filter(~Exists(Match.objects.active().filter(mentee_id=OuterRef("user_id"))))
    aggregates = {}
    labels = []
    for i, (low, high) in enumerate(WAIT_BUCKETS):
        q = Q(started_at__lte=now - timedelta(days=low))
        if high is not None:
            q &= Q(started_at__gt=now - timedelta(days=high))
        aggregates[f"b{i}"] = Count("pk", filter=q)
        labels.append(_("%(low)s–%(high)s days") % {"low": low, "high": high} if high else _("over %(low)s days") % {"low": low})
    counts = waiting.aggregate(**aggregates)
    return Chart(
        slug="waiting-mentees", title=_("Mentees waiting for a mentor"),
        description=_("Mentees with no active match today, by how long ago they joined as a mentee (today's picture; "
                      "the date range does not apply)."),
        x_label=_("Waiting"), labels=labels, series=[(_("Mentees"), [counts[f"b{i}"] for i in range(len(WAIT_BUCKETS))])],
        extra={"counts": (0,)},
    )


def time_to_match(scope: Scope) -> Chart:
    """Average days from becoming a mentee to the match starting, by month the match started: one query.

    A join to the mentee's first mentee grant (no earlier one exists: an anti-join), not
    a subquery per match: at 100,000 matches the per-row subquery took a second.
    """
    buckets = months(scope)
    labels = [_month_label(first) for first, _f in buckets]
    grant = "mentee__role_grants"
    earlier_grant = RoleGrant.objects.filter(
        user_id=OuterRef("mentee_id"), role=Role.MENTEE, started_at__lt=OuterRef(f"{grant}__started_at")
    )
    rows = (
        Match.objects.filter(scope.groups_q(), started_at__gte=_aware(buckets[0][0]), started_at__lt=_aware(buckets[-1][1]))
        # One filter() call, so the grant join is shared by the anti-join and the average.
        .filter(~Exists(earlier_grant), **{f"{grant}__role": Role.MENTEE, f"{grant}__started_at__lte": F("started_at")})
        .annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(n=Count("pk"), wait=Avg(ExpressionWrapper(F("started_at") - F(f"{grant}__started_at"),
                                                            output_field=DurationField())))
    ) if buckets else []
    by_month = {_month_label(timezone.localtime(r["month"])): r for r in rows}
    started = [by_month.get(label, {}).get("n", 0) for label in labels]
    return Chart(
        slug="time-to-match", title=_("Time to match"),
        description=_("Average days from becoming a mentee to the start of their match, by the month the match started."),
        x_label=_("Month"), labels=labels, unit=_("days"),
        series=[
            (_("Average days to match"), [_round(_days(by_month.get(label, {}).get("wait"))) for label in labels]),
            (_("Matches started"), started),
        ],
        extra={"plot_series": 1, "counts": (1,), "based_on": {0: started}},
    )


# --- Check-ins on time per MEA (support.CheckIn) -----------------------------------


MEA_LIMIT = 40


def checkins_on_time(scope: Scope) -> Chart:
    """Per MEA: check-ins held in the range and how many by their due date; the MEAs most behind first.

    Two queries whatever the size: counts grouped by MEA (at most MEA_LIMIT, lowest
    rate first), then those MEAs' names.
    """
    rows = list(
        CheckIn.objects.filter(scope.groups_q("match__group_id"), held_on__gte=scope.start, held_on__lte=scope.end)
        .values("mea_id")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(held_on__lte=F("due_on"))))
        .annotate(rate=ExpressionWrapper(F("on_time") * 1.0 / F("total"), output_field=FloatField()))
        .order_by("rate", "mea_id")[:MEA_LIMIT]
    )
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[r["mea_id"] for r in rows]).select_related("profile")}
    return Chart(
        slug="checkins-on-time", title=_("Check-ins on time, per MEA"),
        description=_("Percentage of each MEA's check-ins in the range that were held by their due date, "
                      "lowest first (at most %(n)s MEAs).") % {"n": MEA_LIMIT},
        x_label=_("MEA"), labels=[names.get(r["mea_id"], "?") for r in rows], unit="%",
        series=[
            (_("% on time"), [_round(100 * r["on_time"] / r["total"], 0) if r["total"] else None for r in rows]),
            (_("On time"), [r["on_time"] for r in rows]),
            (_("Check-ins"), [r["total"] for r in rows]),
        ],
        extra={"plot_series": 1, "max": 100, "counts": (1, 2), "based_on": {0: [r["total"] for r in rows]}},
    )


# --- Concerns (escalations.Concern) ------------------------------------------------


def _concern_rows(scope: Scope) -> tuple[dict, list]:
    rows = (
        Concern.objects.filter(scope.groups_q("group_id"), created_at__gte=_aware(scope.start),
                               created_at__lt=_aware(scope.end + timedelta(days=1)))
        .values("tier")
        .annotate(
            n=Count("pk"), acked=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            ack=Avg(ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())),
        )
    )
    return {r["tier"]: r for r in rows}, Concern.TIER_CHOICES


def concerns_by_tier(scope: Scope) -> Chart:
    """Concerns raised in the range by tier, and how many were acknowledged (one query, shared with time to ack)."""
    rows, tiers = _concern_rows(scope)
    return Chart(
        slug="concerns-by-tier", title=_("Concerns by tier"),
        description=_("Concerns raised in the range, by tier, and how many of them were acknowledged."),
        x_label=_("Tier"), labels=[str(label) for _t, label in tiers],
        series=[
            (_("Raised"), [rows.get(t, {}).get("n", 0) for t, _l in tiers]),
            (_("Acknowledged"), [rows.get(t, {}).get("acked", 0) for t, _l in tiers]),
        ],
        extra={"counts": (0, 1)},
    )


def time_to_acknowledge(scope: Scope) -> Chart:
    rows, tiers = _concern_rows(scope)
    return Chart(
        slug="time-to-acknowledge", title=_("Time to acknowledge a concern"),
        description=_("Average hours from a concern being raised to its acknowledgement, by tier."),
        x_label=_("Tier"), labels=[str(label) for _t, label in tiers], unit=_("hours"),
        series=[(_("Average hours to acknowledge"), [_round(_hours(rows.get(t, {}).get("ack"))) for t, _l in tiers])],
        extra={"based_on": {0: [rows.get(t, {}).get("n", 0) for t, _l in tiers]}},
    )


# --- The members' own voice (support.Survey) ------------------------------------------
# Aggregates only (one query per chart); like every chart, each series says which counts
# it is based on, so small_cells.suppress hides an average over fewer than the threshold.


def pulse_by_month(scope: Scope) -> Chart:
    """Pulse answers per month and their average (1-5): one query, a filtered count and average per month."""
    buckets = months(scope)
    aggregates = {}
    for i, (first, following) in enumerate(buckets):
        within = Q(answered_at__gte=_aware(first), answered_at__lt=_aware(following))
        aggregates[f"n{i}"] = Count("pk", filter=within)
        aggregates[f"a{i}"] = Avg("score", filter=within)
    rows = (Survey.objects.filter(scope.groups_q("match__group_id"), kind=Survey.Kind.PULSE,
                                  answered_at__gte=_aware(scope.start),
                                  answered_at__lt=_aware(scope.end + timedelta(days=1))).aggregate(**aggregates)
            if aggregates else {})
    counts = [rows.get(f"n{i}", 0) for i in range(len(buckets))]
    return Chart(
        slug="pulse", title=_("How mentors and mentees say it is going"),
        description=_("Pulse answers each month (mentors and mentees, 1 hard – 5 great) and their average."),
        x_label=_("Month"), labels=[_month_label(first) for first, _f in buckets], kind="line",
        series=[(_("Average pulse (1–5)"), [_round(rows.get(f"a{i}")) for i in range(len(buckets))]),
                (_("Answers"), counts)],
        extra={"plot_series": 1, "max": 5, "counts": (1,), "based_on": {0: counts}},
    )


def recommend_by_role(scope: Scope) -> Chart:
    """Program survey (0-10): answers, average and share who would recommend (9-10), for mentees and mentors."""
    rows = {r["role"]: r for r in Survey.objects.filter(
        kind=Survey.Kind.PROGRAM, answered_at__gte=_aware(scope.start),
        answered_at__lt=_aware(scope.end + timedelta(days=1)),
        **({} if scope.group_ids is None else {"respondent__in": Membership.objects.filter(
            group_id__in=scope.group_ids).values("user_id")}),
    ).values("role").annotate(n=Count("pk"), avg=Avg("score"), promoters=Count("pk", filter=Q(score__gte=9)))}
    roles = [("mentee", _("Being mentored")), ("mentor", _("Mentoring"))]
    counts = [rows.get(role, {}).get("n", 0) for role, _l in roles]
    return Chart(
        slug="recommend", title=_("Would members recommend the program?"),
        description=_("Twice-yearly program survey: would you recommend being mentored / mentoring here (0–10)."),
        x_label=_("Asked about"), labels=[str(label) for _r, label in roles], unit="%",
        series=[
            (_("% who would recommend (9–10)"),
             [_round(100 * rows[r]["promoters"] / rows[r]["n"], 0) if rows.get(r, {}).get("n") else None
              for r, _l in roles]),
            (_("Average (0–10)"), [_round(rows.get(r, {}).get("avg")) for r, _l in roles]),
            (_("Answers"), counts),
        ],
        extra={"plot_series": 1, "max": 100, "counts": (2,), "based_on": {0: counts, 1: counts}},
    )


# --- Which metrics exist -------------------------------------------------------------


def available_metrics() -> dict:
    """slug -> function, in page order."""
    return {
        "active-matches": active_matches, "waiting-mentees": waiting_mentees, "time-to-match": time_to_match,
        "checkins-on-time": checkins_on_time, "pulse": pulse_by_month, "recommend": recommend_by_role,
        "concerns-by-tier": concerns_by_tier, "time-to-acknowledge": time_to_acknowledge,
        "match-endings": match_endings,
    }


def compute_all(scope: Scope) -> list[Chart]:
    """Every chart's raw numbers (tests, bench). Readers get them through small_cells.chart_for."""
    return [fn(scope) for fn in available_metrics().values()]
