"""Program insights: coordinators see their groups, staff see every group; everyone else gets 404."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from profiles.access import role_required
from profiles.models import Role, SupportGroup

from . import insights as metrics
from . import small_cells
from .charts import geometry
from .forms import InsightsFilterForm
from .spreadsheet import csv_writer


def _scope(request) -> tuple[InsightsFilterForm, metrics.Scope, set[int] | None]:
    """The filter form, the scope asked for, and every group the reader may see (None: all)."""
    user = request.user
    groups = SupportGroup.objects.all() if user.is_program_staff else SupportGroup.objects.filter(
        pk__in=user.coordinated_group_ids
    )
    start, end = InsightsFilterForm.default_range()
    form = InsightsFilterForm(request.GET or None, groups=groups, initial={"start": start, "end": end})
    # Bad filters fall back to the defaults (and the page says so): never a 500, never another group's data.
    data = form.resolved()
    group = data.get("group")
    readers_groups = None if user.is_program_staff else set(user.coordinated_group_ids)
    group_ids = {group.pk} if group is not None else readers_groups
    return form, metrics.Scope(group_ids=group_ids, start=data["start"], end=data["end"]), readers_groups


@role_required(Role.COORDINATOR, Role.STAFF)
def insights(request):
    form, scope, readers_groups = _scope(request)
    charts = [small_cells.chart_for(slug, fn, scope, readers_groups) for slug, fn in metrics.available_metrics().items()]
    charts = [{"chart": chart, "geo": geometry(chart), "rows": chart.rows(), "header": chart.header()}
              for chart in charts]
    return render(request, "community/insights.html", {
        "form": form, "scope": scope, "charts": charts, "query": request.GET.urlencode(),
    })


@role_required(Role.COORDINATOR, Role.STAFF)
def insights_csv(request, metric):
    fn = metrics.available_metrics().get(metric)
    if fn is None:
        raise Http404
    _form, scope, readers_groups = _scope(request)
    chart = small_cells.chart_for(metric, fn, scope, readers_groups)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{metric}-{scope.start}-{scope.end}.csv"'
    writer = csv_writer(response)
    writer.writerow(chart.header())
    writer.writerows(chart.rows())
    return response

