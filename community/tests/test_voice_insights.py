"""Insights from the members' own voice: pulse by month and the program survey, with small cells hidden."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import insights
from community.insights import Scope
from community.small_cells import FewerThan, suppress
from profiles.models import Role
from profiles.tests.factories import member
from support import surveys
from support.tests.factories import supported_match

pytestmark = pytest.mark.django_db


def _scope(group):
    today = timezone.localdate()
    return Scope(group_ids={group.pk}, start=today - timedelta(days=60), end=today)


def _pulses(group, mea, scores):
    for score in scores:
        match = supported_match(group, mea)
        surveys.pulse_answer(match=match, by=match.mentor, occurrence=surveys.pulse_occurrence(match), score=score)


def test_the_pulse_chart_counts_answers_and_averages_them_by_month(group, mea):
    _pulses(group, mea, [4, 4, 5, 3, 4, 2])
    chart = suppress(insights.pulse_by_month(_scope(group)))
    assert chart.series[1][1][-1] == 6
    assert chart.series[0][1][-1] == pytest.approx(3.7, abs=0.05)


def test_fewer_than_five_pulse_answers_show_no_count_and_no_average(group, mea):
    _pulses(group, mea, [1, 2])
    chart = suppress(insights.pulse_by_month(_scope(group)))
    assert isinstance(chart.series[1][1][-1], FewerThan)
    assert chart.series[0][1][-1] is None


def test_the_recommend_chart_by_role_hides_small_cells_on_the_page_and_in_the_csv(client, group, coordinator):
    for score in (10, 9, 9, 7, 3):
        surveys.program_answer(by=member(Role.MENTEE, group), role="mentee", score=score)
    surveys.program_answer(by=member(Role.MENTOR, group), role="mentor", score=10)
    chart = suppress(insights.recommend_by_role(_scope(group)))
    mentees, mentors = 0, 1
    assert chart.series[0][1][mentees] == 60 and chart.series[2][1][mentees] == 5
    assert chart.series[0][1][mentors] is None and isinstance(chart.series[2][1][mentors], FewerThan)
    client.force_login(coordinator)
    rows = list(csv.reader(io.StringIO(client.get(reverse("community:insights_csv", args=["recommend"])).content.decode())))
    assert rows[2][1] == "" and "fewer than" in rows[2][3]
