import numpy as np
import pytest

from matches import cohort
from matches.models import MenteePreference
from matches.selectors import mentor_suggestions
from matches.tests.factories import MatchFactory, approved_mentor
from profiles.models import Profile, Role
from profiles.tests.factories import TopicFactory, member

pytestmark = pytest.mark.django_db


def _profile(user, **fields):
    topics = fields.pop("topics", [])
    Profile.objects.filter(user=user).update(**fields)
    user.profile.refresh_from_db()
    user.profile.topics.set(topics)


def test_mentors_are_ranked_with_the_reason_for_each_score(group, other_group, mentee, coordinator):
    divorce, grief = TopicFactory(name="Divorce"), TopicFactory(name="Grief")
    _profile(mentee, topics=[divorce, grief], time_zone="America/New_York", connect_text=True)
    close = approved_mentor(group)
    _profile(close, topics=[divorce, grief], time_zone="America/Chicago", connect_text=True, gender="woman")
    far = approved_mentor(group)
    _profile(far, topics=[], time_zone="Europe/Paris", connect_text=False, connect_web=False)
    suggestions = mentor_suggestions(mentee, coordinator)
    assert [s.mentor.user for s in suggestions] == [close, far]
    labels = " | ".join(label for label, _points in suggestions[0].parts)
    assert "Shared topics: Divorce, Grief" in labels and "Same group" in labels and "Time zones" in labels
    assert "text" in labels and "Room for 2 more" in labels
    assert suggestions[0].score == sum(p for _l, p in suggestions[0].parts)


def test_a_soft_preference_ranks_and_a_required_one_excludes(group, mentee, coordinator):
    woman, man = approved_mentor(group), approved_mentor(group)
    _profile(woman, gender="woman")
    _profile(man, gender="man")
    MenteePreference.objects.create(mentee=mentee, preferred_gender="woman")
    ranked = mentor_suggestions(mentee, coordinator)
    assert ranked[0].mentor.user == woman
    assert any("soft" in label for label, _p in ranked[1].parts)
    MenteePreference.objects.filter(mentee=mentee).update(gender_required=True)
    assert [s.mentor.user for s in mentor_suggestions(mentee, coordinator)] == [woman]


def test_full_paused_and_out_of_scope_mentors_are_not_suggested(group, other_group, mentee, coordinator):
    full = approved_mentor(group, capacity=1)
    MatchFactory(mentor=full, mentee=member(Role.MENTEE, group), group=group)
    paused = approved_mentor(group)
    paused.mentor_profile.status = "paused"
    paused.mentor_profile.save()
    approved_mentor(other_group)
    assert mentor_suggestions(mentee, mentee) == []


def test_the_cohort_assignment_is_optimal_not_greedy():
    # Greedy takes the 10 first (mentee 0 with mentor 0) and leaves 1 + 1; the optimum is 9 + 8.
    score = np.array([[10.0, 9.0], [8.0, 1.0]])
    assert list(cohort.assign(score, np.array([1, 1]))) == [1, 0]


def test_the_cohort_assignment_respects_capacities_and_required_preferences():
    score = np.array([[5.0, 1.0], [5.0, 1.0], [5.0, cohort.FORBIDDEN]])
    assignment = cohort.assign(score, np.array([2, 1]))
    # Mentee 2 may only have mentor 0, so mentor 0's two places go to mentee 2 and one other.
    assert assignment[2] == 0 and sorted(assignment.tolist()) == [0, 0, 1]
    assert cohort.assign(score, np.array([0, 0])).tolist() == [-1, -1, -1]
