"""Every role's home page on the demo program: accessible, fits a phone, and
screenshotted (the README shows one screenshot per role from here)."""

import pytest
from django.core.management import call_command

from profiles.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_ACCOUNTS = [
    ("mentee", "mentee@example.org", "/matches/mentee/"),
    ("mentor", "mentor@example.org", "/matches/mentor/"),
    ("mea", "mea.alex@example.org", "/support/mea/"),
    ("coordinator", "coordinator@example.org", "/matches/coordinator/"),
    ("staff", "dana.director@example.org", "/concerns/staff/"),
]


def test_each_role_lands_on_a_home_page_that_is_accessible_on_phone_and_desktop(site):
    call_command("seed_demo", verbosity=0)
    for role, email, home in ROLE_ACCOUNTS:
        site.journey = f"role-{role}"
        site.logout()
        site.login(User.objects.get(email=email))
        site.go("/")
        assert site.path() == home, f"{role} lands on {site.path()}"
        assert site.page.get_by_role("heading", level=1).count() == 1
        site.check("home")


def test_staff_reach_the_staff_console_from_the_navigation(site):
    call_command("seed_demo", verbosity=0)
    site.journey = "role-staff-admin"
    site.login(User.objects.get(email="dana.director@example.org"))
    site.go("/")
    site.page.get_by_role("link", name="Staff console").click()
    site.page.wait_for_url("**/admin/")
    site.check("console")
    site.go("/")
    site.page.get_by_role("link", name="Open the report queue").click()
    site.page.wait_for_url("**/admin/escalations/concern/**")
    assert site.page.locator("#result_list tbody tr").count() >= 1, "the demo reports that reached staff are listed"
    site.check("queue")
