"""Every role's home page and the match page on the demo program: axe at 1280 and 390 px,
nothing sideways at either width (also with long unbroken words members typed), a next
step on each home, and screenshotted (the README shows each home and the match page from here)."""

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
        site.check("home", axe_at_both_widths=True)
        assert_navigation_fits_desktop(site, role)
        publish(site, "home", 390, f"{role}.png")
        publish(site, "home", 1280, f"{role}-desktop.png")


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
        site.check("match", axe_at_both_widths=True)
        if who == mentee:
            publish(site, "match", 1280, "match.png")
            publish(site, "match", 390, "match-phone.png")


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
    site.check("report")  # axe, and no sideways scrolling at 1280 or 390 px
    # The report's sentences (routing reasons, deadlines) line up with the other values, not 160 px further in.
    indents = site.page.evaluate("""[...document.querySelectorAll('.readonly ul.sentences')].map(
        ul => Math.round(ul.getBoundingClientRect().left - ul.closest('.readonly').getBoundingClientRect().left))""")
    assert indents and max(indents) < 20, f"the report page's sentences are indented by {indents} px"


def _save(site, path: str | None, fields: dict[str, str], button: str) -> None:
    """Open `path` (None: stay on this page), fill free-text fields (the suite appends a
    300-character unbroken word to each) and submit."""
    if path:
        site.go(path)
    for selector, value in fields.items():
        site.page.locator(selector).fill(value)
    site.page.get_by_role("button", name=button).click()
    site.page.wait_for_load_state()
    refused = site.page.locator(".invalid-feedback, .errorlist")
    assert not refused.count(), f"{site.path()} refused: {refused.all_inner_texts()}"


def test_long_unbroken_words_members_type_push_no_home_or_match_page_sideways(site):
    """Whatever people type that a home or the match page shows (names, pronouns, contact
    handles, a bio, the MEA's way to reach them, a milestone, a goal, an application) gets a
    300-character unbroken word; then every role's home and the match page are checked at 390
    and 1280 px."""
    from matches.models import Match

    call_command("seed_demo", verbosity=0)
    mentee = User.objects.get(email="mentee@example.org")
    match = Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).get()
    waiting = User.objects.get(email="mentee.gabe@example.org")
    profile_fields = {"#id_display_name": "Name", "#id_pronouns": "they/them", "#id_bio": "About me",
                      "#id_discord": "handle"}
    for person in (mentee, match.mentor, waiting):
        site.logout()
        site.login(person)
        _save(site, "/profile/edit/", profile_fields, "Save profile")
    site.logout()
    site.login(mentee)
    _save(site, f"/matches/match/{match.pk}/", {"#id_goal_text": "Sleep before midnight"}, "Add the goal")
    site.logout()
    site.login(waiting)
    site.go("/matches/apply/")
    if site.page.locator("#id_group option").count() > 1:
        site.page.locator("#id_group").select_option(index=1)
    site.page.locator("#id_months_in_group").fill("14")
    site.page.locator("input[name=qualities][value=experience]").check()
    _save(site, None, {"#id_experiences": "A long story"}, "Send my application")
    site.logout()
    site.login(match.mea)
    _save(site, "/support/mea/contact/", {"#id_how_to_reach": "Discord"}, "Save")
    _save(site, f"/support/matches/{match.pk}/", {"#id_what": "Called a friend"}, "Add a milestone")
    assert "Unbroken" in User.objects.get(pk=match.mentor_id).display_name, "the suite typed the long word"

    for role, email, home in ROLE_ACCOUNTS:
        site.journey = f"long-words-{role}"
        site.logout()
        site.login(User.objects.get(email=email))
        site.go(home)
        site.check("home")
        if role in ("mentee", "mentor"):
            site.go(f"/matches/match/{match.pk}/")
            site.check("match")
        if role == "mea":
            site.go(f"/support/matches/{match.pk}/")
            site.check("support-match")


def test_someone_with_every_role_keeps_the_navigation_on_one_line_and_reaches_each_home(site):
    """A coordinator who also mentors, is an MEA and is program staff: their homes and the
    program's pages sit under two menus, so the navigation fits 1280 px (it once pushed the
    page 611 px sideways), and each home is one click away and names a next step."""
    from profiles.models import SupportGroup
    from profiles.services import role_grant
    from profiles.tests.factories import orientation_done

    call_command("seed_demo", verbosity=0)
    person = User.objects.get(email="coordinator@example.org")
    group = SupportGroup.objects.filter(memberships__user=person).first()
    role_grant(person, "mentor")
    role_grant(person, "mea", group=group)
    role_grant(person, "staff")
    orientation_done(person)
    site.journey = "role-everything"
    site.login(person)
    site.go("/")
    assert_navigation_fits_desktop(site, "someone with every role")
    menu = site.page.locator("#main-nav").get_by_role("button", name="Your homes")
    labels = site.page.locator("#main-nav .dropdown-menu").first.locator("a").all_inner_texts()
    assert len(labels) == 4, labels
    for label in labels:
        menu.click()
        site.page.locator("#main-nav").get_by_role("link", name=label, exact=True).click()
        site.page.wait_for_load_state()
        assert site.page.get_by_role("region", name="Next step").count() == 1, f"{label} names no next step"
        assert_navigation_fits_desktop(site, f"someone with every role, on {label}")
    site.check("home", axe_at_both_widths=True)
    site.page.locator("#main-nav").get_by_role("button", name="Program").click()
    site.page.locator("#main-nav").get_by_role("link", name="Members").click()
    site.page.wait_for_url("**/support/members/")
