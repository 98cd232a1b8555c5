import pytest

from matches.tests.factories import MatchFactory


@pytest.fixture
def match(mentor, mentee, mea, group):
    return MatchFactory(mentor=mentor, mentee=mentee, mea=mea, group=group)
