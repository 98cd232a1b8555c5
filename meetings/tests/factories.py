from datetime import timedelta

import factory
from django.utils import timezone

from matches.tests.factories import MatchFactory
from meetings.models import Meeting
from profiles.models import Profile
from profiles.tests.factories import member


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    match = factory.SubFactory(MatchFactory)
    proposed_by = factory.LazyAttribute(lambda o: o.match.mentor)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    time_zone = "UTC"


def pair(group, *, mea=None, mentor_tz: str = "America/New_York", mentee_tz: str = "Europe/Paris"):
    """An active match in `group`, its mentor and mentee in two time zones."""
    mentor, mentee = member("mentor", group), member("mentee", group)
    Profile.objects.filter(user=mentor).update(time_zone=mentor_tz)
    Profile.objects.filter(user=mentee).update(time_zone=mentee_tz)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    match.mentor.refresh_from_db()
    match.mentee.refresh_from_db()
    return match
