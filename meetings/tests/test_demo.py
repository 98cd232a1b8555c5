import pytest

from matches import demo as matches_demo
from meetings import demo
from meetings.models import Goal, Meeting
from profiles import demo as profiles_demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_meetings_in_every_state_and_running_it_twice_changes_nothing():
    ctx = profiles_demo.DemoContext()
    profiles_demo.seed(ctx)
    matches_demo.seed(ctx)
    demo.seed(ctx)
    counts = (Meeting.objects.count(), Goal.objects.count())
    demo.seed(ctx)
    assert (Meeting.objects.count(), Goal.objects.count()) == counts
    assert Goal.objects.filter(status=Goal.Status.REACHED).count() == 1
    assert set(Meeting.objects.values_list("status", flat=True)) == set(Meeting.Status.values)
    chris = Meeting.objects.filter(match__mentee__email="mentee.chris@example.org", status=Meeting.Status.CANCELLED)
    assert chris.count() == 2
