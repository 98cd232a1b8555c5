"""Journeys of a newcomer: joining, verifying email, completing a profile, and
finding emergency help — by mouse and by keyboard alone."""

import re

import pytest
from django.core import mail

from profiles.models import Profile, User
from profiles.tests.factories import PASSWORD, TopicFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-unusual-passphrase-42"


def _confirm_link(email: str) -> str:
    # From the email as sent: the outbox blanks its body once delivered (the link is a secret).
    body = [m.body for m in mail.outbox if email in m.to][-1]
    match = re.search(r"https?://\S+?(/accounts/confirm-email/\S+?/)", body)
    assert match, "the verification email carries a confirmation link"
    return match.group(1)


def test_a_newcomer_signs_up_verifies_email_and_completes_a_profile(site):
    site.journey = "newcomer"
    TopicFactory(name="Grief", slug="grief")
    page = site.page
    site.go("/")
    site.check("welcome")
    page.get_by_role("link", name="Join the program").click()
    page.wait_for_url("**/accounts/signup/")
    site.check("signup")

    page.locator("#id_email").fill("newcomer@example.org")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    site.check("verify-sent")
    assert not User.objects.get(email="newcomer@example.org").emailaddress_set.filter(verified=True).exists()

    site.go(_confirm_link("newcomer@example.org"))
    site.check("confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert User.objects.get(email="newcomer@example.org").emailaddress_set.filter(verified=True).exists()
    site.check("signed-in")

    page.get_by_role("link", name="Complete your profile").click()
    page.wait_for_url("**/profile/edit/")
    site.check("profile-form")
    page.locator("#id_display_name").fill("Robin")
    page.locator("#id_pronouns").fill("they/them")
    page.get_by_label("Grief").check()
    page.locator("#id_connect_web").check()
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/profile/")
    assert page.get_by_role("heading", name=re.compile("Robin")).is_visible()
    site.check("profile")

    profile = Profile.objects.get(user__email="newcomer@example.org")
    assert profile.display_name.split()[0] == "Robin"  # the suite appends a long unbroken word to what it fills
    assert list(profile.topics.values_list("slug", flat=True)) == ["grief"]


def test_emergency_guidance_renders_with_numbers_to_call_without_signing_in(site):
    site.journey = "emergency"
    page = site.page
    site.go("/")
    page.get_by_role("link", name="In danger or in crisis? Get help now").click()
    page.wait_for_url("**/help/")
    site.check("guidance")
    assert page.get_by_role("heading", level=1).inner_text() == "If someone is in danger right now"
    hrefs = page.locator("a[href^='tel:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "tel:911" in hrefs and "tel:988" in hrefs
    assert page.locator("a[href='sms:988']").is_visible()


def test_a_profile_with_bad_input_shows_the_message_next_to_the_field_and_saves_nothing(site, group):
    site.journey = "profile-errors"
    person = member("mentee", group)
    before = Profile.objects.get(user=person)
    site.login(person)
    page = site.page
    site.go("/profile/edit/")
    page.locator("#id_display_name").fill("Changed name")
    page.locator("#id_connect_phone").check()
    page.locator("#id_phone").fill("")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()

    assert "/profile/edit/" in site.path()
    assert "Add a phone number so people can call or text you." in site.field_error("id_phone")
    assert page.get_by_role("alert").first.inner_text().strip() == "Please correct the highlighted fields."
    site.check("phone-missing")
    after = Profile.objects.get(user=person)
    assert (after.display_name, after.connect_phone) == (before.display_name, before.connect_phone)


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has focus: proves it is reachable by keyboard."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_member_signs_in_and_completes_a_profile_with_the_keyboard_alone(phone_site, group):
    """Keyboard only, at phone width: Tab, Shift+Tab, Space and Enter; no clicks."""
    site = phone_site
    site.journey = "keyboard"
    person = member(None, group, email="keys@example.org")
    page = site.page
    site.go("/accounts/login/")
    site.check("login")
    # The first Tab lands on the skip link, which moves focus into the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    _tab_to(page, "#id_login")
    page.keyboard.type(person.email)
    _tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    site.check("home")

    _tab_to(page, "main a[href='/profile/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/profile/edit/")
    _tab_to(page, "#id_display_name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Keyboard Kim")
    _tab_to(page, "#id_connect_in_person")
    page.keyboard.press("Space")
    assert page.locator("#id_connect_in_person").is_checked()
    site.check("profile-form")
    _tab_to(page, "input[type=submit], button[type=submit][name=save]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/profile/")
    site.check("profile")
    assert Profile.objects.get(user=person).display_name == "Keyboard Kim"
