import factory
from django.utils import timezone

from escalations.models import Concern
from matches.tests.factories import MatchFactory
from profiles.tests.factories import UserFactory


class ConcernFactory(factory.django.DjangoModelFactory):
    """A report saved as-is (no routing, no notifications): for list and visibility tests.
    Tests about routing go through services.concern_raise."""

    class Meta:
        model = Concern

    match = factory.SubFactory(MatchFactory)
    reporter = factory.LazyAttribute(lambda o: o.match.mentor)
    about = "mentee"
    group = factory.LazyAttribute(lambda o: o.match.group if o.match else None)
    situations = factory.LazyFunction(lambda: ["relational"])
    details = "details"
    tier = 1
    kind = "mea"
    routed_to_mea = factory.LazyAttribute(lambda o: o.match.mea)
    escalated_to_staff = factory.LazyAttribute(lambda o: o.tier > 1)
    deadlines = factory.LazyFunction(lambda: {"1": 72.0, "2": 24.0, "3": 1.0})
    ack_deadline = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=72))


__all__ = ["ConcernFactory", "MatchFactory", "UserFactory"]
