"""A member's time zone: the browser's at sign-up, else the program's; offered again when a browser reports another."""

import pytest
from django.urls import reverse

from profiles.models import Profile, ProgramSettings, User
from profiles.tests.factories import UserFactory
from profiles.timezones import SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


def _signup(client, email, **extra):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD,
                                                   **extra})


def test_the_sign_up_form_carries_a_hidden_field_for_the_browsers_zone_and_the_script_that_fills_it(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'type="hidden" name="time_zone"' in page and "data-browser-time-zone" in page
    assert "js/time_zone.js" in page


def test_a_new_member_starts_in_the_zone_their_browser_reported(client):
    assert _signup(client, "london@example.org", time_zone="Europe/London").status_code == 302
    assert Profile.objects.get(user__email="london@example.org").time_zone == "Europe/London"


@pytest.mark.parametrize("reported", ["", "Mars/Olympus", "x" * 64])
def test_without_a_known_zone_from_the_browser_a_new_member_starts_in_the_programs(client, settings, reported):
    settings.PROGRAM_TIME_ZONE = "America/Chicago"
    response = _signup(client, "nozone@example.org", time_zone=reported)
    assert response.status_code == 302, "a zone nobody can see is never a reason to refuse a sign-up"
    assert Profile.objects.get(user__email="nozone@example.org").time_zone == "America/Chicago"


def test_the_program_settings_zone_beats_the_environments(client, settings):
    settings.PROGRAM_TIME_ZONE = "America/Chicago"
    ProgramSettings(time_zone="Australia/Sydney").save()
    _signup(client, "sydney@example.org")
    assert Profile.objects.get(user__email="sydney@example.org").time_zone == "Australia/Sydney"


def _signed_in(client, zone="America/New_York"):
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone=zone)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = zone
    session.save()
    return user


def test_every_signed_in_page_carries_the_offer_hidden_with_the_profiles_zone(client):
    _signed_in(client)
    page = client.get(reverse("profiles:me")).content.decode()
    assert 'data-time-zone-offer="America/New_York" hidden' in page
    assert f'action="{reverse("profiles:time_zone")}"' in page


def test_accepting_the_offer_saves_the_zone_and_shows_times_in_it_at_once(client):
    user = _signed_in(client)
    response = client.post(reverse("profiles:time_zone"), {"time_zone": "Europe/London", "next": "/matches/"})
    assert response.status_code == 302 and response.url == "/matches/"
    assert Profile.objects.get(user=user).time_zone == "Europe/London"
    assert client.session[SESSION_KEY] == "Europe/London"
    assert 'data-time-zone-offer="Europe/London"' in client.get(reverse("profiles:me")).content.decode()


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "<script>"])
def test_an_unknown_zone_changes_nothing_and_says_so(client, zone):
    user = _signed_in(client)
    response = client.post(reverse("profiles:time_zone"), {"time_zone": zone}, follow=True)
    assert response.status_code == 200
    assert "not one we know" in response.content.decode()
    assert Profile.objects.get(user=user).time_zone == "America/New_York"
    assert client.session[SESSION_KEY] == "America/New_York"


def test_the_offer_never_sends_the_member_to_another_site(client):
    _signed_in(client)
    response = client.post(reverse("profiles:time_zone"), {"time_zone": "Europe/London",
                                                           "next": "https://evil.example/phish"})
    assert response.url == reverse("profiles:me")


def test_the_offer_is_for_signed_in_members_only_and_only_by_post(client):
    response = client.post(reverse("profiles:time_zone"), {"time_zone": "Europe/London"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    _signed_in(client)
    assert client.get(reverse("profiles:time_zone")).status_code == 405
    assert not User.objects.filter(profile__time_zone="Europe/London").exists()


def test_an_email_to_an_address_without_an_account_gives_times_in_the_programs_zone(settings):
    from profiles.timezones import zone_for_email

    settings.PROGRAM_TIME_ZONE = "Europe/Dublin"
    member = UserFactory()
    Profile.objects.filter(user=member).update(time_zone="Asia/Tokyo")
    assert str(zone_for_email(member.email.upper())) == "Asia/Tokyo", "a member's own zone, however the address is cased"
    assert str(zone_for_email("staff-inbox@example.org")) == "Europe/Dublin"
    ProgramSettings(time_zone="America/Denver").save()
    assert str(zone_for_email("invitee@example.org")) == "America/Denver"
