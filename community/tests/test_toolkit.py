import pytest
from django.urls import reverse

from community import services
from community.models import Resource, SavedResource
from community.services import CommunityError
from community.tests.factories import ResourceFactory
from community.toolkit import SUGGESTED_QUESTIONS, WAYS_OF_MENTORING
from matches.models import Match
from profiles.tests.factories import TopicFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(group, mentor, mentee):
    return Match.objects.create(mentor=mentor, mentee=mentee, group=group)


def test_the_toolkit_shows_the_seeds_ways_of_mentoring_and_questions(client, plain_member):
    client.force_login(plain_member)
    page = client.get(reverse("community:toolkit")).content.decode()
    assert len(WAYS_OF_MENTORING) == 7
    for _slug, name, _text in WAYS_OF_MENTORING:
        assert str(name) in page
    assert "Would you like me to just listen, or respond with some thoughts?" in page
    assert len(SUGGESTED_QUESTIONS) == 4


def test_a_coordinator_curates_a_resource_and_a_mentor_saves_it_to_the_match(client, group, coordinator, mentor, mentee, match):
    topic = TopicFactory(name="Boundaries")
    client.force_login(coordinator)
    response = client.post(reverse("community:resource_create"), {
        "title": "Setting boundaries", "url": "https://example.org/boundaries", "body": "", "topics": [topic.pk],
        "group": group.pk,
    })
    resource = Resource.objects.get()
    assert response.status_code == 302 and resource.group == group and list(resource.topics.all()) == [topic]
    client.force_login(mentor)
    assert "Setting boundaries" in client.get(reverse("community:toolkit")).content.decode()
    response = client.post(reverse("community:resource_save", args=[resource.pk]), {"match": match.pk})
    assert response.url == reverse("community:match_resources", args=[match.pk])
    assert SavedResource.objects.get().saved_by == mentor
    client.force_login(mentee)
    assert "Setting boundaries" in client.get(reverse("community:match_resources", args=[match.pk])).content.decode()


def test_a_coordinator_cannot_curate_for_another_group(client, group, other_group):
    stranger = member("coordinator", other_group)
    client.force_login(stranger)
    client.post(reverse("community:resource_create"), {"title": "x", "url": "https://example.org", "group": group.pk})
    assert not Resource.objects.exists()
    resource = ResourceFactory(group=group)
    assert client.get(reverse("community:resource_edit", args=[resource.pk])).status_code == 404
    assert client.post(reverse("community:resource_status", args=[resource.pk]), {"status": "archived"}).status_code == 404
    with pytest.raises(CommunityError):
        services.resource_save(by=stranger, data={"title": "x", "url": "https://e.org", "group": group})


def test_members_see_published_resources_of_their_groups_and_program_wide_only(client, group, other_group, plain_member):
    mine, everyone = ResourceFactory(group=group, title="Mine"), ResourceFactory(group=None, title="Everyone")
    theirs = ResourceFactory(group=other_group, title="Theirs")
    archived = ResourceFactory(group=group, title="Old", status=Resource.Status.ARCHIVED)
    assert set(Resource.objects.visible_to(plain_member)) == {mine, everyone}
    client.force_login(plain_member)
    for hidden in (theirs, archived):
        assert client.get(reverse("community:resource_detail", args=[hidden.pk])).status_code == 404


def test_a_resource_needs_a_link_or_a_text(client, coordinator, group):
    client.force_login(coordinator)
    response = client.post(reverse("community:resource_create"), {"title": "Empty", "url": "", "body": "", "group": group.pk})
    assert response.status_code == 200 and not Resource.objects.exists()
    response = client.post(reverse("community:resource_create"), {"title": "Bad", "url": "not a url", "group": group.pk})
    assert response.status_code == 200 and not Resource.objects.exists()


def test_only_the_mentor_or_mentee_of_an_active_match_saves_to_it(client, group, match, mea, coordinator, plain_member):
    resource = ResourceFactory(group=group)
    Match.objects.filter(pk=match.pk).update(mea=mea)
    for person in (mea, coordinator, plain_member):
        with pytest.raises(CommunityError):
            services.resource_save_to_match(resource=resource, match=match, by=person)
        client.force_login(person)
        client.post(reverse("community:resource_save", args=[resource.pk]), {"match": match.pk})
    assert not SavedResource.objects.exists()


def test_people_outside_the_match_do_not_see_its_saved_resources(client, group, other_group, match, mentor):
    services.resource_save_to_match(resource=ResourceFactory(group=group), match=match, by=mentor)
    saved = SavedResource.objects.get()
    for person in (member("mentor", group), member("coordinator", other_group)):
        client.force_login(person)
        assert client.get(reverse("community:match_resources", args=[match.pk])).status_code == 404
        assert client.post(reverse("community:saved_remove", args=[saved.pk])).status_code == 404
    assert SavedResource.objects.exists()


def test_saving_twice_keeps_one_and_the_mentee_can_remove_it(client, group, match, mentor, mentee):
    resource = ResourceFactory(group=group)
    services.resource_save_to_match(resource=resource, match=match, by=mentor)
    services.resource_save_to_match(resource=resource, match=match, by=mentee)
    saved = SavedResource.objects.get()
    client.force_login(mentee)
    client.post(reverse("community:saved_remove", args=[saved.pk]))
    assert not SavedResource.objects.exists()


def test_an_archived_resource_cannot_be_saved_and_can_be_published_again(client, group, match, mentor, coordinator):
    resource = ResourceFactory(group=group)
    client.force_login(coordinator)
    client.post(reverse("community:resource_status", args=[resource.pk]), {"status": "archived"})
    resource.refresh_from_db()
    assert resource.status == Resource.Status.ARCHIVED
    with pytest.raises(CommunityError):
        services.resource_save_to_match(resource=resource, match=match, by=mentor)
    client.post(reverse("community:resource_status", args=[resource.pk]), {"status": "bogus"})
    client.post(reverse("community:resource_status", args=[resource.pk]), {"status": "published"})
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PUBLISHED


def test_the_library_lists_in_a_fixed_number_of_queries(client, group, mentor, match):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topics = [TopicFactory() for _ in range(3)]

    def queries(n):
        for r in ResourceFactory.create_batch(n, group=group):
            r.topics.set(topics)
        client.force_login(mentor)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("community:toolkit")).status_code == 200
        return len(ctx.captured_queries)

    small = queries(10)
    Resource.objects.all().delete()
    assert queries(120) == small
