import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from profiles.models import Membership, Profile, Role, SupportGroup, Topic, User
from profiles.services import role_grant

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_profile(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        # The site's zone (UTC), as the tests' own "today" is: with the model's default (New York) a test
        # run between midnight and 05:00 UTC saw the person's day as yesterday and its dates as the future.
        # Tests of time zones set the person's zone themselves.
        Profile.objects.get_or_create(user=self, defaults={"display_name": f"Person {self.pk}", "time_zone": "UTC"})
        EmailAddress.objects.get_or_create(user=self, email=self.email, defaults={"verified": True, "primary": True})


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


GROUP_SCOPED = {Role.COORDINATOR, Role.MEA}


def member(role: str | None, group: SupportGroup, *, oriented: bool = True, **user_kwargs) -> User:
    """A verified member of `group` holding `role` (coordinator and MEA roles are per group).
    Mentors and MEAs have completed the orientation unless `oriented=False`."""
    user = UserFactory(**user_kwargs)
    Membership.objects.get_or_create(user=user, group=group)
    if role:
        role_grant(user, role, group=group if role in GROUP_SCOPED else None)
    if role in (Role.MENTOR, Role.MEA) and oriented:
        orientation_done(user)
    user.__dict__.pop("active_grants", None)
    return user


def orientation_done(user: User) -> None:
    """`user` acknowledged every orientation item (mentors and MEAs in tests, unless a test says otherwise)."""
    from profiles.joining import OrientationAck, OrientationItem

    OrientationAck.objects.bulk_create([OrientationAck(user=user, item=item) for item in OrientationItem.objects.all()],
                                       ignore_conflicts=True)
