import pytest

from matches.selectors import suggest_mea
from matches.tests.factories import MatchFactory
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_suggested_mea_is_the_one_in_the_group_with_fewest_active_matches(group, settings):
    busy, free = member("mea", group), member("mea", group)
    MatchFactory(group=group, mea=busy)
    assert suggest_mea(group.pk) == free


def test_no_mea_is_suggested_when_every_caseload_is_full(group, settings):
    settings.MEA_CASELOAD_LIMIT = 1
    mea = member("mea", group)
    MatchFactory(group=group, mea=mea)
    assert suggest_mea(group.pk) is None
