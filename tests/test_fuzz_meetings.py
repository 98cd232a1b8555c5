"""Property-based tests of every POST endpoint of meetings (propose, answer, move, mark
held, cancel, the private calendar link): bad, oversized, NUL-laden, wrong-typed or
missing input and other people's ids get a form error or a clear 4xx, never a 500,
and save nothing (not even half)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings import services
from meetings.models import CalendarFeed, Goal, Meeting
from meetings.tests.factories import pair
from tests.fuzzing import (
    ACCEPTED,
    FUZZ,
    State,
    as_,
    assert_every_post_endpoint_is_fuzzed,
    huge_ids,
    junk,
    rolled_back,
    send,
    spoiled,
)

pytestmark = pytest.mark.django_db

FUZZED = {
    "meetings:propose", "meetings:accept", "meetings:suggest", "meetings:held", "meetings:cancel",
    "meetings:calendar_new", "meetings:calendar_stop", "meetings:goal_add", "meetings:goal_update",
}
STATE = State("meetings", "matches", "profiles")
whose = st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids)


def test_every_post_endpoint_of_meetings_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("meetings", FUZZED)


@pytest.fixture
def w(group, other_group):
    match, other = pair(group), pair(other_group)
    starts = timezone.now() + timedelta(days=3)
    return SimpleNamespace(
        match=match, other=other,
        meeting=services.meeting_propose(match=match, by=match.mentor, starts_at=starts, how="video"),
        other_meeting=services.meeting_propose(match=other, by=other.mentor, starts_at=starts, how="video"),
    )


def valid_plan():
    day = (timezone.now() + timedelta(days=5)).date()
    return {"day": day.isoformat(), "time": "18:30", "minutes": "45", "how": "phone", "where": "Call me"}


@FUZZ
@given(data=spoiled(valid_plan()), which=whose)
def test_a_proposal_with_any_input_is_a_form_error_a_404_or_one_whole_meeting(w, data, which):
    target = {"mine": w.match.pk, "theirs": w.other.pk}.get(which, which)
    with rolled_back():
        response, verdict = send(as_(w.match.mentee), reverse("meetings:propose", args=[target]), data, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert Meeting.objects.filter(match=w.match).count() == 1 + (verdict == ACCEPTED)
        assert Meeting.objects.filter(match=w.other).count() == 1


@FUZZ
@given(data=spoiled(valid_plan()), which=whose)
def test_a_new_time_with_any_input_is_a_form_error_a_404_or_the_whole_change(w, data, which):
    target = {"mine": w.meeting.pk, "theirs": w.other_meeting.pk}.get(which, which)
    with rolled_back():
        response, verdict = send(as_(w.match.mentee), reverse("meetings:suggest", args=[target]), data, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        meeting = Meeting.objects.get(pk=w.meeting.pk)
        assert (meeting.proposed_by == w.match.mentee) == (verdict == ACCEPTED)
        assert Meeting.objects.get(pk=w.other_meeting.pk).proposed_by == w.other.mentor


@FUZZ
@given(action=st.sampled_from(["accept", "held", "cancel"]), which=whose, who=st.sampled_from(["mentor", "mentee"]),
       extra=st.dictionaries(st.sampled_from(["status", "pk", "by"]), st.text(max_size=5), max_size=2))
def test_answering_marking_or_cancelling_any_meeting_moves_only_ones_own_by_the_rules(w, action, which, who, extra):
    target = {"mine": w.meeting.pk, "theirs": w.other_meeting.pk}.get(which, which)
    with rolled_back():
        response, verdict = send(as_(getattr(w.match, who)), reverse(f"meetings:{action}", args=[target]), extra,
                                 state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert Meeting.objects.get(pk=w.other_meeting.pk).status == Meeting.Status.PROPOSED
        status = Meeting.objects.get(pk=w.meeting.pk).status
        expected = {("accept", "mentee"): "accepted", ("cancel", "mentor"): "cancelled",
                    ("cancel", "mentee"): "cancelled"}.get((action, who), "proposed") if which == "mine" else "proposed"
        assert status == expected
        assert (verdict == ACCEPTED) == (status != "proposed")


def test_a_double_submitted_proposal_is_saved_once(w):
    client = as_(w.match.mentor)
    for _ in range(2):
        send(client, reverse("meetings:propose", args=[w.match.pk]), valid_plan(), state=STATE)
    assert Meeting.objects.filter(match=w.match).count() == 2  # the fixture's and this one


def test_a_new_calendar_link_made_twice_leaves_one_that_works(w):
    client = as_(w.match.mentor)
    for _ in range(2):
        response, verdict = send(client, reverse("meetings:calendar_new"), {"x": "\x00"}, still_asking=True)
        assert response.status_code == 200
    assert CalendarFeed.objects.filter(user=w.match.mentor, revoked_at=None).count() == 1
    send(client, reverse("meetings:calendar_stop"), {"pk": str(w.match.mentee.pk)}, state=STATE)
    assert not CalendarFeed.objects.filter(revoked_at=None).exists()


# --- Goals ----------------------------------------------------------------------------------


@FUZZ
@given(text=junk, which=whose)
def test_a_goal_with_any_text_is_refused_with_a_message_or_saved_whole_on_ones_own_match(w, text, which):
    target = {"mine": w.match.pk, "theirs": w.other.pk}.get(which, which)
    with rolled_back():
        response, verdict = send(as_(w.match.mentor), reverse("meetings:goal_add", args=[target]), {"text": text},
                                 state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert Goal.objects.filter(match=w.match).count() == (verdict == ACCEPTED)
        assert not Goal.objects.filter(match=w.other).exists()


@FUZZ
@given(progress=st.one_of(st.sampled_from(["0", "25", "50", "75", "100"]), junk), celebration=junk, which=whose)
def test_marking_any_goal_with_any_progress_moves_only_ones_own_goal_by_the_rules(w, progress, celebration, which):
    mine = services.goal_add(match=w.match, by=w.match.mentee, text="Sleep before midnight")
    theirs = services.goal_add(match=w.other, by=w.other.mentee, text="Walk every day")
    target = {"mine": mine.pk, "theirs": theirs.pk}.get(which, which)
    with rolled_back():
        data = {f"goal{target}-progress": progress, f"goal{target}-celebration": celebration}
        response, verdict = send(as_(w.match.mentor), reverse("meetings:goal_update", args=[target]), data,
                                 state=STATE)
        if which != "mine":
            assert response.status_code == 404
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (theirs.progress, theirs.status) == (0, Goal.Status.WORKING)
        if verdict == ACCEPTED:
            assert mine.progress == int(progress)
            assert (mine.status == Goal.Status.REACHED) == (progress == "100")
    Goal.objects.all().delete()
