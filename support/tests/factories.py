from datetime import timedelta

import factory
from django.utils import timezone

from matches.tests.factories import MatchFactory
from profiles.models import Profile
from profiles.tests.factories import member
from support.models import CheckIn, CheckInRequest, MatchSupport, MEAProfile
from support.need import need_score_refresh


class MEAProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MEAProfile
        django_get_or_create = ["user"]


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    match = factory.SubFactory(MatchFactory)
    mea = factory.LazyAttribute(lambda o: o.match.mea)
    rating = 4
    due_on = factory.LazyFunction(timezone.localdate)


class CheckInRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckInRequest

    match = factory.SubFactory(MatchFactory)
    asked_by = factory.LazyAttribute(lambda o: o.match.mea)
    respondent = factory.LazyAttribute(lambda o: o.match.mentor)


def supported_match(group, mea, *, days_ago: int = 0, next_due=None, tz: str | None = None, **support):
    """An active match in `group` supported by `mea`, started `days_ago`, with its support row."""
    mentor, mentee = member("mentor", group), member("mentee", group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea,
                         started_at=timezone.now() - timedelta(days=days_ago))
    if tz:
        Profile.objects.filter(user=mea).update(time_zone=tz)
    MatchSupport.objects.create(
        match=match, next_due=next_due or (timezone.localdate(match.started_at) + timedelta(days=14)), **support
    )
    need_score_refresh([match.pk])  # as the services that write support rows do
    return match
