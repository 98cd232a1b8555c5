from datetime import timedelta

import factory
from django.utils import timezone

from community.models import ChatPost, Resource
from profiles.tests.factories import SupportGroupFactory, UserFactory


class ChatPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatPost

    author = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
    kind = ChatPost.Kind.OFFER
    title = factory.Sequence(lambda n: f"Happy to talk #{n}")
    body = "Evenings work for me."
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=14))


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    url = "https://example.org/healing"
    group = None
