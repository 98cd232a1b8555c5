"""Each main form, submitted with bad input in a real browser: a clear message
next to the field, and nothing saved."""

import pytest

from notifications.models import Delivery
from profiles.models import User
from profiles.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_with_a_weak_or_mismatched_password_explains_next_to_the_field_and_creates_no_account(site):
    site.journey = "errors-signup"
    page = site.page
    site.go("/accounts/signup/")
    page.locator("#id_email").fill("weak@example.org")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "too short" in site.field_error("id_password1")
    site.check("weak-password")

    page.locator("#id_password1").fill("a-long-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-different-passphrase-43")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "same password" in site.field_error("id_password2")
    assert not User.objects.filter(email="weak@example.org").exists()


def test_sign_up_with_an_email_already_registered_reveals_nothing_and_creates_no_second_account(site, group):
    """No enumeration: the page is the same as for a new address; the owner gets an email."""
    site.journey = "errors-signup-taken"
    member(None, group, email="taken@example.org")
    page = site.page
    site.go("/accounts/signup/")
    page.locator("#id_email").fill("taken@example.org")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-42")
    page.locator("#id_password2").fill("a-long-unusual-passphrase-42")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert "already" not in page.locator("main").inner_text().lower()
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert Delivery.objects.filter(to="taken@example.org").exists()


def test_a_wrong_password_at_sign_in_shows_a_clear_message_and_signs_nobody_in(site, group):
    site.journey = "errors-login"
    person = member(None, group, email="someone@example.org")
    page = site.page
    site.go("/accounts/login/")
    page.locator("#id_login").fill(person.email)
    page.locator("#id_password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in site.path()
    assert "not correct" in page.locator("main").inner_text()
    assert not any(c["name"] == "sessionid" for c in page.context.cookies())
    site.check("wrong-password")
