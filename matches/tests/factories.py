from datetime import timedelta

import factory
from django.utils import timezone

from matches.models import Match, MentorApplication, MentorProfile, Proposal
from profiles.models import Role
from profiles.tests.factories import SupportGroupFactory, UserFactory, member


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
    mea = None


class MentorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory)
    capacity = 2


class MentorApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorApplication

    applicant = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
    months_in_group = 14
    qualities = factory.LazyFunction(lambda: ["experience", "compassion"])


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
    initiated_by = Proposal.Kind.COORDINATOR
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def approved_mentor(group, capacity: int = 2, **kwargs):
    """A mentor in `group` with an available MentorProfile."""
    user = member(Role.MENTOR, group, **kwargs)
    MentorProfileFactory(user=user, capacity=capacity)
    return user
