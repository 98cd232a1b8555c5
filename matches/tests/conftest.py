import pytest

from matches.tests.factories import MentorProfileFactory


@pytest.fixture
def available_mentor(mentor):
    """The `mentor` fixture, approved and taking mentees (capacity 2)."""
    MentorProfileFactory(user=mentor, capacity=2)
    return mentor
