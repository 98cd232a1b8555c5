import factory

from matches.models import Match
from profiles.tests.factories import SupportGroupFactory, UserFactory


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
    mea = None
