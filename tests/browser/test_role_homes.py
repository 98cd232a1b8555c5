"""Every role's home page on the demo program: accessible, fits a phone, and
screenshotted (the README shows one screenshot per role from here)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from profiles.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# `README_SCREENSHOTS=1 pytest tests/browser/test_role_homes.py` also refreshes the
# README's screenshots in docs/screenshots/ from these pages.
README_SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def publish(site, step: str, width: int, name: str) -> None:
    if os.environ.get("README_SCREENSHOTS") != "1":
        return
    original = site.page.viewport_size
    site.page.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
    try:
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site.screenshot(step, width), README_SHOTS / name)
    finally:
        site.page.set_viewport_size(original)


ROLE_ACCOUNTS = [
    ("mentee", "mentee@example.org", "/matches/mentee/"),
    ("mentor", "mentor@example.org", "/matches/mentor/"),
    ("mea", "mea.alex@example.org", "/support/mea/"),
    ("coordinator", "coordinator@example.org", "/matches/coordinator/"),
    ("staff", "dana.director@example.org", "/concerns/staff/"),
]


# At 1280 px: the navigation's links and the brand each sit on one line, and nothing
# pushes the page sideways (the staff's twelve links once did, by 81 px).
_NAV_AT_DESKTOP_JS = """
(() => {
  const rows = new Set([...document.querySelectorAll('#main-nav > ul > li')]
    .map(li => Math.round(li.getBoundingClientRect().top)));
  const brand = document.querySelector('.navbar-brand');
  const lineHeight = parseFloat(getComputedStyle(brand).lineHeight);
  return {rows: rows.size, brandLines: Math.round(brand.getBoundingClientRect().height / lineHeight),
          wide: document.documentElement.scrollWidth - window.innerWidth};
})()
"""


def assert_navigation_fits_desktop(site, role: str) -> None:
    original = site.page.viewport_size
    site.page.set_viewport_size({"width": 1280, "height": 800})
    try:
        nav = site.page.evaluate(_NAV_AT_DESKTOP_JS)
    finally:
        site.page.set_viewport_size(original)
    assert nav == {"rows": 1, "brandLines": 1, "wide": 0}, f"{role}'s navigation at 1280 px: {nav}"


def test_each_role_lands_on_a_home_page_that_is_accessible_on_phone_and_desktop(site):
    call_command("seed_demo", verbosity=0)
    for role, email, home in ROLE_ACCOUNTS:
        site.journey = f"role-{role}"
        site.logout()
        site.login(User.objects.get(email=email))
        site.go("/")
        assert site.path() == home, f"{role} lands on {site.path()}"
        assert site.page.get_by_role("heading", level=1).count() == 1
        region = site.page.get_by_role("region", name="Next step")
        assert region.count() == 1, f"{role}'s home names no next step"
        assert len(region.inner_text().split()) > 4, f"{role}'s next step is empty: {region.inner_text()!r}"
        site.check("home")
        assert_navigation_fits_desktop(site, role)
        publish(site, "home", 390, f"{role}.png")


def test_the_match_page_leads_with_the_relationship_for_each_side(site):
    from matches.models import Match

    call_command("seed_demo", verbosity=0)
    mentee = User.objects.get(email="mentee@example.org")
    match = Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).get()
    for who in (mentee, match.mentor):
        site.journey = f"match-page-{'mentee' if who == mentee else 'mentor'}"
        site.logout()
        site.login(who)
        site.go(f"/matches/match/{match.pk}/")
        other = match.mentor if who == mentee else match.mentee
        main = site.page.locator("main")
        assert main.get_by_role("heading", name=f"How to reach {other.display_name}").is_visible()
        assert "Next check-in with your MEA" in main.inner_text()
        assert main.get_by_role("link", name="End this match…").is_visible()
        assert main.get_by_role("button", name="End the match").count() == 0, "ending lives on its own page"
        site.check("match")
        if who == mentee:
            publish(site, "match", 1280, "match.png")


def test_staff_reach_the_staff_console_from_the_navigation(site):
    call_command("seed_demo", verbosity=0)
    site.journey = "role-staff-admin"
    site.login(User.objects.get(email="dana.director@example.org"))
    site.go("/")
    site.page.get_by_role("button", name="Account").click()
    site.page.get_by_role("link", name="Staff console").click()
    site.page.wait_for_url("**/admin/")
    site.check("console")
    site.go("/")
    site.page.get_by_role("link", name="Open the report queue").click()
    site.page.wait_for_url("**/admin/escalations/concern/**")
    assert site.page.locator("#result_list tbody tr").count() >= 1, "the demo reports that reached staff are listed"
    site.check("queue")
    site.page.set_viewport_size({"width": 1280, "height": 800})
    fits = site.page.evaluate("(() => { const c = document.querySelector('#changelist .results');"
                              " return c.scrollWidth <= c.clientWidth + 1; })()")
    assert fits, "the report queue's columns are cut off at 1280 px"
    publish(site, "queue", 1280, "staff-console.png")
    site.page.locator("#result_list tbody tr th a").first.click()
    site.page.wait_for_url("**/change/")
    # The report's sentences (routing reasons, deadlines) line up with the other values, not 160 px further in.
    indents = site.page.evaluate("""[...document.querySelectorAll('.readonly ul.sentences')].map(
        ul => Math.round(ul.getBoundingClientRect().left - ul.closest('.readonly').getBoundingClientRect().left))""")
    assert indents and max(indents) < 20, f"the report page's sentences are indented by {indents} px"
