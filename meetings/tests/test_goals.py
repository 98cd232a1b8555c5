import pytest
from django.urls import reverse

from audit.models import History
from meetings import services
from meetings.models import GOALS_OPEN_LIMIT, Goal
from meetings.services import MeetingError
from support.selectors import celebrations

from .factories import pair

pytestmark = pytest.mark.django_db


def test_the_pair_writes_goals_in_their_own_words_and_the_page_asks_the_seeds_question(client, group, mea):
    match = pair(group, mea=mea)
    client.force_login(match.mentee)
    page = client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()
    assert "What do you need in terms of support at this stage of your healing?" in page
    client.post(reverse("meetings:goal_add", args=[match.pk]), {"text": "  Call my sister   once a week "})
    assert Goal.objects.get().text == "Call my sister once a week"
    assert "Call my sister once a week" in client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()


def test_a_reached_goal_shows_under_to_celebrate_on_the_meas_dashboard(client, group, mea):
    match = pair(group, mea=mea)
    goal = services.goal_add(match=match, by=match.mentee, text="Go back to the Tuesday circle")
    services.goal_progress(goal=goal, by=match.mentor, progress=50)
    client.force_login(mea)
    assert "Go back to the Tuesday circle" not in client.get(reverse("support:mea_home")).content.decode()
    client.force_login(match.mentee)
    client.post(reverse("meetings:goal_update", args=[goal.pk]),
                {f"goal{goal.pk}-progress": "100", f"goal{goal.pk}-celebration": "Three weeks in a row!"})
    goal.refresh_from_db()
    assert goal.status == Goal.Status.REACHED and goal.reached_at
    client.force_login(mea)
    body = client.get(reverse("support:mea_home")).content.decode()
    assert "Go back to the Tuesday circle" in body and "goal reached" in body
    with pytest.raises(MeetingError):
        services.goal_progress(goal=goal, by=match.mentee, progress=50)


@pytest.mark.parametrize("who", ["coordinator", "staff_user"])
def test_coordinators_and_staff_never_read_a_goal(client, group, mea, coordinator, staff_user, who):
    match = pair(group, mea=mea)
    goal = services.goal_add(match=match, by=match.mentee, text="SECRET-GOAL-WORDS")
    services.goal_progress(goal=goal, by=match.mentee, progress=100, celebration="SECRET-CELEBRATION")
    person = {"coordinator": coordinator, "staff_user": staff_user}[who]
    client.force_login(person)
    assert client.post(reverse("meetings:goal_update", args=[goal.pk]), {}).status_code == 404
    assert client.post(reverse("meetings:goal_add", args=[match.pk]), {"text": "x"}).status_code == 404
    for url in (reverse("matches:match_detail", args=[match.pk]), reverse("support:coordinator_dashboard"),
                reverse("support:match_detail", args=[match.pk])):
        body = client.get(url).content.decode()
        assert "SECRET-GOAL-WORDS" not in body and "SECRET-CELEBRATION" not in body
    assert not Goal.objects.visible_to(person).exists()
    assert not celebrations(person, as_mea=True)
    # The history (staff read it) says a goal changed, never what it says.
    assert History.objects.tracks(goal).exists()
    assert not any("SECRET" in str(e.pgh_data) for e in History.objects.all())


def test_the_mea_reads_goals_but_cannot_write_or_mark_them(client, group, mea):
    match = pair(group, mea=mea)
    goal = services.goal_add(match=match, by=match.mentor, text="Name one win each week")
    client.force_login(mea)
    assert "Name one win each week" in client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()
    assert client.post(reverse("meetings:goal_update", args=[goal.pk]), {f"goal{goal.pk}-progress": "100"}).status_code == 404
    with pytest.raises(MeetingError):
        services.goal_add(match=match, by=mea, text="x")


def test_a_pair_keeps_a_few_goals_at_a_time(group):
    match = pair(group)
    for i in range(GOALS_OPEN_LIMIT):
        services.goal_add(match=match, by=match.mentor, text=f"Goal {i}")
    with pytest.raises(MeetingError):
        services.goal_add(match=match, by=match.mentee, text="One more")
    services.goal_progress(goal=Goal.objects.first(), by=match.mentee, progress=100)
    services.goal_add(match=match, by=match.mentee, text="One more")
