"""A member's own time zone, read from the browser: at sign-up, and offered when it differs from the profile's."""

import pytest

from profiles.models import Profile
from profiles.tests.factories import UserFactory

from .conftest import DESKTOP, TIMEOUT_MS, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def london_site(request, browser, live_server, transactional_db, axe):
    """The live site in a desktop tab whose browser is set to London time."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    site = Site(context.new_page(), live_server.url, request.node.name.removeprefix("test_"), axe)
    yield site
    context.close()
    assert not site.server_errors, f"server errors: {site.server_errors}"
    assert not site.page_errors, f"JavaScript or CSP errors: {site.page_errors}"


def test_a_newcomer_in_london_starts_in_london_time(london_site):
    site, page = london_site, london_site.page
    site.go("/accounts/signup/")
    page.locator("#id_email").fill("londoner@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert Profile.objects.get(user__email="londoner@example.org").time_zone == "Europe/London"


def _new_yorker_on_their_profile(site):
    """A member whose profile says New York, signed in and on their profile page: (the member, the offer)."""
    user = UserFactory()
    Profile.objects.filter(user=user).update(time_zone="America/New_York")
    site.login(user)
    site.go("/profile/")
    offer = site.page.get_by_role("complementary", name="Time zone")
    offer.wait_for(state="visible")
    return user, offer


def test_a_member_whose_profile_says_new_york_is_offered_london_and_takes_it(london_site):
    site, page = london_site, london_site.page
    user, offer = _new_yorker_on_their_profile(site)
    assert "This device is set to Europe/London, but your profile says America/New_York" in offer.inner_text()
    site.check("offered")
    offer.get_by_role("button", name="Use Europe/London").click()
    page.wait_for_url("**/profile/")
    assert page.get_by_text("Times are now shown in Europe/London").is_visible()
    assert Profile.objects.get(user=user).time_zone == "Europe/London"
    assert not offer.is_visible(), "the profile and the browser agree now"


def test_keeping_the_profiles_zone_hides_the_offer_in_this_browser(london_site):
    site, page = london_site, london_site.page
    user, offer = _new_yorker_on_their_profile(site)
    offer.get_by_role("button", name="Keep America/New_York").click()
    assert not offer.is_visible()
    site.go("/profile/")
    page.wait_for_load_state("load")
    assert page.locator("[data-time-zone-offer]").is_hidden()
    assert Profile.objects.get(user=user).time_zone == "America/New_York"


def test_a_browser_in_the_profiles_zone_sees_no_offer(site):
    # The suite's default tab runs in the machine's zone (UTC); the factory's people live in UTC.
    site.login(UserFactory())
    site.go("/profile/")
    page = site.page
    page.wait_for_load_state("load")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") in ("UTC", "Etc/UTC")
    assert page.locator("[data-time-zone-offer]").count() == 1
    assert page.locator("[data-time-zone-offer]").is_hidden()
