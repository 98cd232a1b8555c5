"""Small-cell suppression for program insights: no chart, table or CSV singles anyone out.

- A count between 1 and the threshold (`small_cell_threshold()`, 5 unless the program
  says otherwise) is shown as "fewer than 5", on the page, in the chart (not drawn)
  and in the CSV. An average or a rate over fewer than that many is not shown.
  Zero stays zero: that nothing happened names no one.
- A sensitive count (reports of concern: `SENSITIVE_METRICS`) cannot be narrowed to
  less than a month or to a group with fewer members than the threshold: the range
  is widened to a month, the group to all the reader's groups, and the chart says so.

Every chart goes through `suppress` on its way to the page and the CSV (insights_views).
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.utils.translation import gettext as _

from profiles.models import Membership
from profiles.program import program_settings

from .insights import Chart, Scope

# A month, for "no narrower than a month": the shortest span a sensitive count covers.
MIN_SENSITIVE_DAYS = 30
# Charts that count reports of concern (who was worried about whom): the ones a
# narrow filter would turn into "one tier-3 report from group X on day D".
SENSITIVE_METRICS = frozenset({"concerns-by-tier", "time-to-acknowledge"})


def small_cell_threshold() -> int:
    """The smallest count shown as a number. The one place the setting is read (the program
    settings staff edit; SMALL_CELL_THRESHOLD is its default)."""
    return max(1, int(program_settings().small_cell_threshold))


@dataclass(frozen=True)
class FewerThan:
    """A suppressed cell: shown as "fewer than 5", never drawn."""

    threshold: int

    def __str__(self) -> str:
        return _("fewer than %(n)s") % {"n": self.threshold}


def _small(n, threshold: int) -> bool:
    return isinstance(n, int) and 0 < n < threshold


def suppress(chart: Chart, threshold: int | None = None) -> Chart:
    """The chart with its small counts replaced by FewerThan, and the averages and rates
    over small counts blanked. Which series are counts is said by the metric
    (`extra["counts"]`: series indices; `extra["based_on"]`: series index -> the counts
    each value is computed from)."""
    threshold = threshold or small_cell_threshold()
    counts = set(chart.extra.get("counts", ()))
    based_on = chart.extra.get("based_on", {})
    series, hidden = [], False
    for index, (name, values) in enumerate(chart.series):
        if index in counts:
            values = [FewerThan(threshold) if _small(v, threshold) else v for v in values]
        elif index in based_on:
            values = [None if _small(n, threshold) else v for v, n in zip(values, based_on[index], strict=True)]
        hidden |= values != chart.series[index][1]
        series.append((name, values))
    if not hidden:
        return chart
    note = _("Counts of fewer than %(n)s are not shown, so that no one can be singled out.") % {"n": threshold}
    return replace(chart, series=series, note=" ".join(filter(None, [chart.note, note])))


def sensitive_scope(scope: Scope, reader_group_ids: set[int] | None) -> tuple[Scope, list[str]]:
    """The scope a sensitive count is computed over, widened where the filter was narrower
    than allowed, and the reasons to show. `reader_group_ids`: all the reader's groups
    (None: every group, for staff)."""
    notes, start, group_ids = [], scope.start, scope.group_ids
    if (scope.end - scope.start).days + 1 < MIN_SENSITIVE_DAYS:
        start = scope.end - timedelta(days=MIN_SENSITIVE_DAYS - 1)
        notes.append(_("Reports are counted over a month at least: here from %(start)s to %(end)s.")
                     % {"start": start, "end": scope.end})
    threshold = small_cell_threshold()
    if (group_ids is not None and group_ids != reader_group_ids and len(group_ids) == 1
            and Membership.objects.filter(group_id__in=group_ids).count() < threshold):
        group_ids = reader_group_ids
        notes.append(_("The group chosen has fewer than %(n)s members, so reports are counted over all your groups.")
                     % {"n": threshold})
    return Scope(group_ids=group_ids, start=start, end=scope.end), notes


def chart_for(slug: str, fn, scope: Scope, reader_group_ids: set[int] | None) -> Chart:
    """One chart as readers get it: sensitive counts over the widened scope, small cells suppressed."""
    notes = []
    if slug in SENSITIVE_METRICS:
        scope, notes = sensitive_scope(scope, reader_group_ids)
    chart = fn(scope)
    if notes:
        chart = replace(chart, note=" ".join(filter(None, [chart.note, *notes])))
    return suppress(chart)
