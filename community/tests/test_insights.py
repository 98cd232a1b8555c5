import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import insights
from community.charts import geometry
from escalations.tests.factories import ConcernFactory
from matches.models import Match
from profiles.models import RoleGrant
from profiles.tests.factories import member
from support.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_count_shown(settings):
    # These tests check the arithmetic on a handful of rows; small cells are
    # suppressed on the page and in the CSV (test_insights_small_cells.py).
    settings.SMALL_CELL_THRESHOLD = 1


def _months_ago(n: int):
    """A moment in the middle of the month `n` months before this one."""
    first = timezone.localdate().replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return timezone.make_aware(timezone.datetime(first.year, first.month, 15, 12))


def _label(n: int) -> str:
    return _months_ago(n).strftime("%Y-%m")


def _scope(group_ids=None, months=6):
    end = timezone.localdate()
    start = _months_ago(months).date().replace(day=1)
    return insights.Scope(group_ids=group_ids, start=start, end=end)


def _pair(group, started, ended=None, ended_by="mentor", mea=None, mentee_since=None):
    mentor, mentee = member("mentor", group), member("mentee", group)
    if mentee_since:
        RoleGrant.objects.filter(user=mentee, role="mentee").update(started_at=mentee_since)
    match = Match.objects.create(
        mentor=mentor, mentee=mentee, group=group, mea=mea, started_at=started,
        status="ended" if ended else "active", ended_at=ended,
        **({"ended_by": mentor if ended_by == "mentor" else mentee} if ended and hasattr(Match, "ended_by") else {}),
    )
    return match


@pytest.fixture
def program(group, other_group, mea):
    """Group A: three matches (one ended last month by the mentee), check-ins and concerns; group B: one match."""
    a1 = _pair(group, _months_ago(4), mea=mea, mentee_since=_months_ago(4) - timedelta(days=10))
    a2 = _pair(group, _months_ago(2), mea=mea, mentee_since=_months_ago(2) - timedelta(days=20))
    _pair(group, _months_ago(3), ended=_months_ago(1), ended_by="mentee")
    _pair(other_group, _months_ago(2))
    member("mentee", group)  # waiting, just joined
    today = timezone.localdate()
    CheckInFactory(match=a1, mea=mea, held_on=today - timedelta(days=20), due_on=today - timedelta(days=18))
    CheckInFactory(match=a1, mea=mea, held_on=today - timedelta(days=5), due_on=today - timedelta(days=9))
    CheckInFactory(match=a2, mea=mea, held_on=today - timedelta(days=3), due_on=today - timedelta(days=3))
    now = timezone.now()
    ConcernFactory(match=a1, tier=1, created_at=now - timedelta(days=10), acknowledged_at=now - timedelta(days=10, hours=-6),
                   status="acknowledged")
    ConcernFactory(match=a2, tier=2, created_at=now - timedelta(days=4), acknowledged_at=now - timedelta(days=4, hours=-2),
                   status="acknowledged")
    ConcernFactory(match=a2, tier=1, created_at=now - timedelta(days=1))
    return group


def _series(chart, index=0):
    return dict(zip(chart.labels, chart.series[index][1], strict=True))


def test_active_matches_over_time_counts_matches_active_at_each_month_end(program, group):
    chart = insights.active_matches(_scope({group.pk}))
    s = _series(chart)
    assert s[_label(5)] == 0 and s[_label(4)] == 1 and s[_label(3)] == 2 and s[_label(2)] == 3
    assert s[_label(1)] == 2 and s[_label(0)] == 2
    assert _series(insights.active_matches(_scope(None)))[_label(0)] == 3  # staff: every group


def test_match_endings_by_month_and_side(program, group):
    chart = insights.match_endings(_scope({group.pk}))
    total = {label: sum(values[i] for _n, values in chart.series) for i, label in enumerate(chart.labels)}
    assert total[_label(1)] == 1 and sum(total.values()) == 1
    if len(chart.series) == 3:
        assert _series(chart, 1)[_label(1)] == 1  # ended by the mentee


def test_waiting_mentees_and_time_to_match(program, group):
    waiting = insights.waiting_mentees(_scope({group.pk}))
    # The new mentee, and the mentee whose match ended (their grant is new): both within a week.
    assert waiting.series[0][1] == [2, 0, 0, 0]
    chart = insights.time_to_match(_scope({group.pk}))
    assert _series(chart)[_label(4)] == 10.0 and _series(chart)[_label(2)] == 20.0
    assert _series(chart, 1)[_label(4)] == 1


def test_checkins_on_time_per_mea(program, group, mea):
    chart = insights.checkins_on_time(_scope({group.pk}))
    assert chart.labels == [mea.display_name]
    assert [values[0] for _n, values in chart.series] == [67, 2, 3]


def test_concerns_by_tier_and_time_to_acknowledge(program, group, other_group):
    by_tier = insights.concerns_by_tier(_scope({group.pk}))
    assert by_tier.series[0][1] == [2, 1, 0] and by_tier.series[1][1] == [1, 1, 0]
    ack = insights.time_to_acknowledge(_scope({group.pk}))
    assert ack.series[0][1] == [6.0, 2.0, None]
    assert insights.concerns_by_tier(_scope({other_group.pk})).series[0][1] == [0, 0, 0]


def test_the_insights_page_shows_accessible_charts_over_the_data(client, program, coordinator):
    # The members' own voice, enough answers to be shown (small cells are hidden): pulses and the program survey.
    from matches.models import Match
    from support.models import Survey

    match = Match.objects.filter(group=program, status="active").first()
    for i in range(5):
        Survey.objects.create(kind="pulse", match=match, respondent=match.mentor, role="mentor", score=4,
                              occurrence=timezone.localdate() - timedelta(days=i))
        Survey.objects.create(kind="program", respondent=member("mentee", program), role="mentee", score=9,
                              occurrence=timezone.localdate())
    client.force_login(coordinator)
    page = client.get(reverse("community:insights")).content.decode()
    for fn in insights.available_metrics().values():
        chart = fn(_scope({program.pk}))
        assert f'id="{chart.slug}-title"' in page and f"{chart.slug}.csv" in page
    assert page.count("<svg class=\"insight-chart") >= 5
    assert "<desc" in page and "visually-hidden" in page and "<script" not in page.split("</main>")[0]


@pytest.mark.parametrize("slug", ["active-matches", "waiting-mentees", "time-to-match", "checkins-on-time",
                                  "concerns-by-tier", "time-to-acknowledge", "match-endings"])
def test_each_csv_has_the_numbers_of_its_chart(client, program, coordinator, slug):
    client.force_login(coordinator)
    scope = _scope({program.pk})
    params = {"start": scope.start.isoformat(), "end": scope.end.isoformat()}
    response = client.get(reverse("community:insights_csv", args=[slug]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    chart = insights.available_metrics()[slug](scope)
    assert rows[0] == chart.header()
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in chart.rows()]


def test_roles_without_access_get_404(client, program, mentor, mentee, mea, plain_member):
    for person in (mentor, mentee, mea, plain_member):
        client.force_login(person)
        assert client.get(reverse("community:insights")).status_code == 404
        assert client.get(reverse("community:insights_csv", args=["active-matches"])).status_code == 404


def test_a_coordinator_sees_only_their_groups_even_when_asking_for_another(client, program, other_group):
    stranger = member("coordinator", other_group)
    client.force_login(stranger)
    response = client.get(reverse("community:insights_csv", args=["active-matches"]), {"group": program.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][1] == "1"  # their own group's one match, not group A's
    assert client.get(reverse("community:insights_csv", args=["no-such-chart"])).status_code == 404


def test_staff_filter_by_group_and_date_range(client, program, other_group, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("community:insights_csv", args=["active-matches"]), {"group": other_group.pk})
    assert list(csv.reader(io.StringIO(response.content.decode())))[-1][1] == "1"
    end = timezone.localdate()
    response = client.get(reverse("community:insights_csv", args=["active-matches"]),
                          {"start": (end - timedelta(days=40)).isoformat(), "end": end.isoformat()})
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) in (3, 4)  # header + 2 or 3 months


def test_bad_filters_fall_back_to_the_defaults_without_failing(client, program, coordinator):
    client.force_login(coordinator)
    for params in ({"start": "2026-13-45"}, {"start": "2030-01-01", "end": "2020-01-01"},
                   {"start": "1900-01-01"}, {"group": "abc"}):
        response = client.get(reverse("community:insights"), params)
        assert response.status_code == 200
        assert response.context["scope"].start <= response.context["scope"].end


def test_chart_geometry_stays_inside_the_drawing(program, group):
    for chart in insights.compute_all(_scope({group.pk})):
        geo = geometry(chart)
        for bar in geo["bars"]:
            assert geo["top"] <= bar.y <= geo["bottom"] and bar.height >= 0


@pytest.mark.parametrize("role", ["coordinator", "staff"])
def test_the_insights_page_query_count_does_not_grow_with_rows(client, group, mea, role):
    viewer = member(role, group)
    client.force_login(viewer)

    def add(n, offset):
        mentors = [member("mentor", group) for _ in range(2)]
        mentees = [member("mentee", group) for _ in range(n)]
        started = _months_ago(3)
        matches = Match.objects.bulk_create([
            Match(mentor=mentors[i % 2], mentee=mentees[i], group=group, mea=mea, started_at=started) for i in range(n)
        ])
        for m in matches:
            CheckInFactory(match=m, mea=mea, held_on=timezone.localdate(), due_on=timezone.localdate())
            ConcernFactory(match=m, tier=1 + m.pk % 3, escalated_to_staff=m.pk % 3 > 0)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("community:insights")).status_code == 200
        return len(ctx.captured_queries)

    add(3, 0)
    small = count()
    add(40, 3)
    assert count() == small
