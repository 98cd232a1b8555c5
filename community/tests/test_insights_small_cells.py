"""Small cells in program insights (issue 16): a count between 1 and the threshold (5)
shows as "fewer than 5" on the page, in the chart and in the CSV, and a sensitive count
(reports of concern) cannot be narrowed to less than a month or to a group smaller
than the threshold: the filter is widened and the chart says so."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import insights
from community.charts import geometry
from community.small_cells import FewerThan, small_cell_threshold, suppress
from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _csv(client, slug, params=None) -> list[list[str]]:
    response = client.get(reverse("community:insights_csv", args=[slug]), params or {})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def _match(group):
    return MatchFactory(mentor=approved_mentor(group), mentee=member(Role.MENTEE, group), group=group)


def _reports(match, tier, n, days_ago=3):
    at = timezone.now() - timedelta(days=days_ago)
    for _ in range(n):
        ConcernFactory(match=match, tier=tier, created_at=at, acknowledged_at=at + timedelta(hours=2))


@pytest.fixture
def big_group(group):
    """Group with six members besides its coordinator: over the threshold."""
    for _ in range(4):
        member(Role.MENTEE, group)
    return group


def test_the_threshold_is_five_unless_the_program_says_otherwise(settings):
    del settings.SMALL_CELL_THRESHOLD
    assert small_cell_threshold() == 5
    settings.SMALL_CELL_THRESHOLD = 3
    assert small_cell_threshold() == 3


def test_one_tier_3_report_shows_as_fewer_than_5_on_the_page_and_in_the_csv(client, big_group, coordinator):
    match = _match(big_group)
    _reports(match, tier=3, n=1)
    _reports(match, tier=2, n=6)
    client.force_login(coordinator)
    rows = _csv(client, "concerns-by-tier")
    by_tier = {row[0]: row[1:] for row in rows[1:]}
    assert by_tier["3 · Emergency"] == ["fewer than 5", "fewer than 5"]
    assert by_tier["2 · Staff"] == ["6", "6"]
    assert by_tier["1 · MEA"] == ["0", "0"], "zero names no one and stays zero"
    page = client.get(reverse("community:insights")).content.decode()
    assert "fewer than 5" in page and "Counts of fewer than 5 are not shown" in page
    ack = {row[0]: row[1] for row in _csv(client, "time-to-acknowledge")[1:]}
    assert ack["3 · Emergency"] == "" and ack["2 · Staff"] == "2.0", "no average over one report"


def test_a_suppressed_cell_is_not_drawn_in_the_chart(big_group):
    match = _match(big_group)
    _reports(match, tier=3, n=2)
    _reports(match, tier=2, n=5)
    end = timezone.localdate()
    chart = suppress(insights.concerns_by_tier(insights.Scope({big_group.pk}, end - timedelta(days=60), end)))
    assert chart.series[0][1] == [0, 5, FewerThan(5)]
    labels = [bar.label for bar in geometry(chart)["bars"]]
    assert not [label for label in labels if "Emergency" in label], labels
    assert [label for label in labels if "Staff" in label]


def test_a_one_day_range_for_reports_is_widened_to_a_month_and_says_so(client, big_group, coordinator):
    match = _match(big_group)
    _reports(match, tier=2, n=5, days_ago=10)
    client.force_login(coordinator)
    today = timezone.localdate().isoformat()
    rows = _csv(client, "concerns-by-tier", {"start": today, "end": today})
    assert {row[0]: row[1] for row in rows[1:]}["2 · Staff"] == "5", "counted over the month before the day asked"
    page = client.get(reverse("community:insights"), {"start": today, "end": today}).content.decode()
    assert "Reports are counted over a month at least" in page
    # Other charts keep the range asked for.
    assert client.get(reverse("community:insights"), {"start": today, "end": today}).context["scope"].start.isoformat() == today


def test_a_group_under_the_threshold_is_widened_to_all_the_coordinators_groups(client, big_group, other_group):
    coordinator = member(Role.COORDINATOR, big_group)
    from profiles.services import role_grant

    role_grant(coordinator, Role.COORDINATOR, group=other_group)
    small_match = _match(other_group)  # other_group: a mentor and a mentee (and the coordinator)
    _reports(small_match, tier=2, n=1)
    _reports(_match(big_group), tier=2, n=5)
    client.force_login(coordinator)
    rows = _csv(client, "concerns-by-tier", {"group": other_group.pk})
    assert {row[0]: row[1] for row in rows[1:]}["2 · Staff"] == "6", "both groups, not the small one alone"
    page = client.get(reverse("community:insights"), {"group": other_group.pk}).content.decode()
    assert "fewer than 5 members, so reports are counted over all your groups" in page


def test_a_group_at_the_threshold_is_counted_alone(client, big_group, staff_user):
    _reports(_match(big_group), tier=2, n=5)
    client.force_login(staff_user)
    rows = _csv(client, "concerns-by-tier", {"group": big_group.pk})
    assert {row[0]: row[1] for row in rows[1:]}["2 · Staff"] == "5"


def test_small_counts_in_every_chart_are_suppressed(client, big_group, coordinator):
    _match(big_group)  # one active match, one started
    client.force_login(coordinator)
    for slug in ("active-matches", "time-to-match", "waiting-mentees"):
        cells = [cell for row in _csv(client, slug)[1:] for cell in row[1:]]
        assert "1" not in cells, (slug, cells)
