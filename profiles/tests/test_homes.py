import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOMES = {
    "mentee": "matches:mentee_home",
    "mentor": "matches:mentor_home",
    "coordinator": "matches:coordinator_home",
    "mea": "support:mea_home",
    "staff": "escalations:staff_home",
}


@pytest.mark.parametrize("role", HOMES)
def test_each_role_lands_on_its_own_home_page(client, request, role):
    user = request.getfixturevalue("staff_user" if role == "staff" else role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(HOMES[role])
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("role", HOMES)
def test_each_role_is_refused_the_other_roles_home_pages(client, request, role):
    user = request.getfixturevalue("staff_user" if role == "staff" else role)
    client.force_login(user)
    for other, url_name in HOMES.items():
        if other != role:
            assert client.get(reverse(url_name)).status_code == 404, f"{role} must not see {other}'s home"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url_name in HOMES.values():
        response = client.get(reverse(url_name))
        assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_member_with_no_role_sees_their_next_step(client, plain_member):
    client.force_login(plain_member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Your next step" in response.content and b"/matches/apply/" in response.content
    assert b"Complete your profile" not in response.content, "their profile is complete"


def test_navigation_shows_each_held_role_its_places(client, mentor):
    from profiles.services import role_grant

    role_grant(mentor, "mentee")
    client.force_login(mentor)
    body = client.get(reverse("matches:mentor_home")).content.decode()
    assert reverse("matches:mentor_home") in body and reverse("matches:mentee_home") in body
    assert reverse("support:mea_home") not in body


def test_a_role_that_ended_no_longer_opens_its_page(client, mentor):
    from profiles.services import role_end

    role_end(mentor, "mentor")
    client.force_login(mentor)
    assert client.get(reverse("matches:mentor_home")).status_code == 404


def test_every_page_links_to_emergency_guidance(client, mentee):
    client.force_login(mentee)
    for url in (reverse("matches:mentee_home"), reverse("profiles:me"), reverse("profiles:edit"), "/no-such-page/"):
        assert reverse("emergency").encode() in client.get(url).content


def test_unknown_pages_get_the_friendly_404(client, mentee):
    client.force_login(mentee)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"find that page" in response.content


def test_a_server_error_shows_the_friendly_500_page_without_the_database(rf, django_assert_num_queries):
    from django.urls import get_resolver

    with django_assert_num_queries(0):
        response = get_resolver().resolve_error_handler(500)(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content and b"/help/" in response.content


def test_coordinators_and_staff_find_the_check_in_pages_in_the_navigation(client, coordinator, staff_user):
    client.force_login(coordinator)
    body = client.get(reverse("matches:coordinator_home")).content.decode()
    assert reverse("support:coordinator_dashboard") in body and reverse("support:compliance") not in body
    client.force_login(staff_user)
    assert reverse("support:compliance") in client.get(reverse("escalations:staff_home")).content.decode()


def test_the_match_page_links_to_its_support_page_and_saved_resources(client, mentor, mentee, group):
    from matches.tests.factories import MatchFactory

    match = MatchFactory(mentor=mentor, mentee=mentee, group=group)
    client.force_login(mentee)
    body = client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()
    assert reverse("support:match_detail", args=[match.pk]) in body
    assert reverse("community:match_resources", args=[match.pk]) in body
