"""Insights from the members' own voice (support.Survey): how the pulse goes, and whether
members would recommend the program. Aggregates only (one query per chart); the page
suppresses small cells (small_cells.suppress) like every other chart: each series says
which counts it is based on, so an average over fewer than the threshold is not shown."""

from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from profiles.models import Membership

from .insights import Chart, Scope, _aware, _month_label, _round, months


def pulse_by_month(scope: Scope) -> Chart:
    """Pulse answers per month and their average (1-5): one query, a filtered count and average per month."""
    from support.models import Survey

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
    from support.models import Survey

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
