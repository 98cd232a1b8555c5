"""The match page's meetings and goals, and a person's calendar feed, cost the same number of
queries with 3 meetings as with 200 (a query per meeting or goal would fail)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Goal, Meeting

from .factories import pair

pytestmark = pytest.mark.django_db
BUDGET = 30


def fill(match, n: int) -> None:
    now = timezone.now()
    statuses = [Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED, Meeting.Status.HELD, Meeting.Status.CANCELLED]
    Meeting.objects.bulk_create([
        Meeting(match=match, proposed_by=match.mentor if i % 2 else match.mentee, time_zone="UTC", minutes=60,
                starts_at=now + timedelta(days=i - n // 2), status=statuses[i % 4],
                closed_at=now if statuses[i % 4] in ("held", "cancelled") else None)
        for i in range(n)
    ])
    Goal.objects.bulk_create([Goal(match=match, written_by=match.mentee, text=f"Goal {i}") for i in range(min(n, 5))])


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["match", "feed"])
def test_the_match_page_and_the_feed_cost_the_same_with_3_or_200_meetings(client, group, other_group, page):
    counts = []
    for n, grp in ((3, group), (200, other_group)):
        match = pair(grp)
        fill(match, n)
        client.force_login(match.mentee)
        url = (reverse("matches:match_detail", args=[match.pk]) if page == "match"
               else reverse("meetings:feed", args=[services.calendar_feed_create(match.mentee)]))
        counts.append(count(client, url))
    assert counts[0] == counts[1], counts
    assert counts[1] <= BUDGET
