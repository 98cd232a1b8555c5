import pytest

from matches.tests.factories import MatchFactory


@pytest.fixture
def match(mentor, mentee, mea, group):
    return MatchFactory(mentor=mentor, mentee=mentee, mea=mea, group=group)


@pytest.fixture
def match_without_mea(mentor, group):
    from profiles.tests.factories import member

    return MatchFactory(mentor=mentor, mentee=member("mentee", group), mea=None, group=group)
