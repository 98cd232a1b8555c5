"""An MEA records a check-in from the dashboard, and a check-in with bad input
explains itself and saves nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from support.models import CheckIn, MatchSupport
from support.tests.factories import supported_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_mea_records_a_check_in_from_the_dashboard_and_the_next_due_date_moves(site, group, mea):
    site.journey = "checkin"
    match = supported_match(group, mea, days_ago=20, next_due=timezone.localdate() - timedelta(days=3))
    before = MatchSupport.objects.get(match=match).next_due
    site.login(mea)
    page = site.page
    site.go("/")
    assert site.path() == "/support/mea/"
    assert "overdue" in page.locator("main table").inner_text()
    site.check("dashboard")

    page.get_by_role("link", name="Record a check-in").first.click()
    page.wait_for_url(f"**/support/matches/{match.pk}/check-in/")
    site.check("form")
    page.locator("#id_with_whom").select_option("both")
    page.get_by_label("4", exact=True).check()
    page.locator("#id_meetings_held").fill("3")
    page.locator("#id_meetings_cancelled").fill("0")
    page.locator("#id_to_celebrate").fill("They met every week and started a gratitude list.")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(f"**/support/matches/{match.pk}/")
    assert "Check-in saved" in page.get_by_role("status").first.inner_text()
    site.check("saved")

    checkin = CheckIn.objects.get(match=match)
    assert (checkin.rating, checkin.meetings_held, checkin.mea) == (4, 3, mea)
    assert MatchSupport.objects.get(match=match).next_due > before


def test_a_check_in_with_bad_input_shows_messages_next_to_the_fields_and_saves_nothing(site, group, mea):
    site.journey = "errors-checkin"
    match = supported_match(group, mea, days_ago=20)
    site.login(mea)
    page = site.page
    site.go(f"/support/matches/{match.pk}/check-in/")
    page.locator("#id_meetings_held").fill("-2")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_load_state()
    assert site.path() == f"/support/matches/{match.pk}/check-in/"
    assert page.get_by_role("alert").first.inner_text().strip() == "Please correct the highlighted fields."
    assert "greater than or equal to 0" in site.field_error("id_meetings_held")
    assert page.locator("#div_id_rating .invalid-feedback").inner_text().strip()
    site.check("invalid")
    assert not CheckIn.objects.exists()
