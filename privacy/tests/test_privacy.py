"""Privacy for the member: a JSON export of everything held about them, and an
erasure they ask for and a coordinator (or staff) completes."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import History
from notifications.models import Notice
from notifications.services import email_queue, notice_create
from privacy import registry, services
from privacy.models import ErasureRequest
from profiles.models import Membership, Profile, RoleGrant, User
from profiles.tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_coordinator(other_group):
    return member("coordinator", other_group)


def test_a_member_downloads_everything_held_about_them_as_json(client, mentee, mentor):
    Profile.objects.filter(user=mentee).update(bio="I like long walks", phone="555-0100")
    notice_create(mentee, "Something needs your attention", "/profile/")
    notice_create(mentor, "Not for the mentee", "/profile/")
    client.force_login(mentee)
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    account = data["program_data"]["account"]
    assert account["email"] == mentee.email
    assert account["profile"]["bio"] == "I like long walks"
    assert [r["role"] for r in account["roles"]] == ["mentee"]
    assert account["memberships"][0]["group"]
    titles = [n["title"] for n in data["program_data"]["notifications"]["notifications"]]
    assert titles == ["Something needs your attention"]
    assert mentor.email not in response.content.decode()


def test_another_app_can_add_its_section_to_the_export_and_its_eraser(mentee, coordinator, monkeypatch):
    monkeypatch.setattr(registry, "_EXPORTERS", dict(registry._EXPORTERS))
    monkeypatch.setattr(registry, "_ERASERS", dict(registry._ERASERS))
    monkeypatch.setattr(registry, "_COVERS", dict(registry._COVERS))
    erased = []
    registry.register_exporter("extra", lambda user: {"items": [f"item of {user.pk}"]})
    registry.register_eraser("extra", lambda user: erased.append(user.pk))
    assert services.export_for(mentee)["program_data"]["extra"] == {"items": [f"item of {mentee.pk}"]}
    request = services.erasure_request(mentee)
    services.erasure_complete(request.pk, by=coordinator)
    assert erased == [mentee.pk]


def test_the_export_needs_sign_in(client):
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def _ask(client, user):
    client.force_login(user)
    return client.post(reverse("privacy:erasure_request"), {"confirm": "on"})


def test_a_member_asks_for_erasure_and_their_coordinator_is_told(client, mentee, coordinator):
    assert _ask(client, mentee).status_code == 302
    request = ErasureRequest.objects.get(user=mentee)
    assert request.status == "requested"
    assert Notice.objects.filter(user=coordinator, url=reverse("privacy:erasure_requests")).exists()
    # Asking twice does not open a second request.
    _ask(client, mentee)
    assert ErasureRequest.objects.filter(user=mentee).count() == 1


def test_asking_without_ticking_the_box_changes_nothing(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("privacy:erasure_request"), {})
    assert response.status_code == 302
    assert not ErasureRequest.objects.exists()


def test_a_coordinator_completes_an_erasure_end_to_end(client, mentee, mentor, coordinator, django_capture_on_commit_callbacks):
    Profile.objects.filter(user=mentee).update(bio="private story", phone="555-0100", discord="me#1")
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to=mentee.email, subject="Hello", body_text="Dear mentee")
    notice_create(mentor, "A notice for someone else", "/")
    old_email = mentee.email
    _ask(client, mentee)
    request = ErasureRequest.objects.get(user=mentee)

    client.force_login(coordinator)
    listing = client.get(reverse("privacy:erasure_requests"))
    assert listing.status_code == 200 and old_email in listing.content.decode()
    response = client.post(reverse("privacy:erasure_complete", args=[request.pk]))
    assert response.status_code == 302

    request.refresh_from_db()
    assert request.status == "completed" and request.completed_by == coordinator
    mentee.refresh_from_db()
    assert mentee.email != old_email and not mentee.is_active and not mentee.has_usable_password()
    profile = Profile.objects.get(user=mentee)
    assert (profile.display_name, profile.bio, profile.phone, profile.discord) == (services.ERASED_NAME, "", "", "")
    assert not EmailAddress.objects.filter(email__iexact=old_email).exists()
    assert not Membership.objects.filter(user=mentee).exists()
    assert not RoleGrant.objects.filter(user=mentee, ended_at=None).exists()
    assert RoleGrant.objects.filter(user=mentee).exists(), "the role history is kept"
    assert not User.objects.filter(email__iexact=old_email).exists()
    # Other people's records are intact.
    assert Notice.objects.filter(user=mentor).exists()
    assert Profile.objects.get(user=mentor).display_name != services.ERASED_NAME
    # The history records who completed it.
    completed = History.objects.tracks(request).filter(pgh_label="update", pgh_context__user=coordinator.pk).get()
    assert completed.pgh_diff["status"] == ["requested", "completed"]
    # The erased person can no longer sign in.
    client.logout()
    login = client.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session and login.status_code == 200


def test_completing_twice_erases_once(mentee, coordinator, staff_user):
    request = services.erasure_request(mentee)
    services.erasure_complete(request.pk, by=coordinator)
    with pytest.raises(ValidationError):
        services.erasure_complete(request.pk, by=staff_user)


def test_staff_can_complete_any_request(mentee, staff_user):
    request = services.erasure_request(mentee)
    services.erasure_complete(request.pk, by=staff_user)
    assert ErasureRequest.objects.get(pk=request.pk).status == "completed"


def test_a_coordinator_of_another_group_or_a_mentor_cannot_see_or_complete_it(client, mentee, mentor, other_coordinator):
    request = services.erasure_request(mentee)
    client.force_login(other_coordinator)
    assert mentee.email not in client.get(reverse("privacy:erasure_requests")).content.decode()
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 404
    client.force_login(mentor)
    assert client.get(reverse("privacy:erasure_requests")).status_code == 404
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 404
    assert ErasureRequest.objects.get(pk=request.pk).status == "requested"


def test_a_member_cannot_complete_their_own_request(client, group):
    person = member("coordinator", group)
    request = services.erasure_request(person)
    client.force_login(person)
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 404


def test_a_member_can_withdraw_their_request(client, mentee):
    _ask(client, mentee)
    request = ErasureRequest.objects.get(user=mentee)
    assert client.post(reverse("privacy:erasure_withdraw", args=[request.pk])).status_code == 302
    assert ErasureRequest.objects.get(pk=request.pk).status == "withdrawn"
    assert client.get(reverse("privacy:home")).status_code == 200


def test_every_page_of_a_signed_in_member_links_to_their_data(client, mentee):
    client.force_login(mentee)
    assert f'href="{reverse("privacy:home")}"' in client.get(reverse("profiles:me")).content.decode()
