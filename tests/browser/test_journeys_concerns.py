"""Concerns in a real browser: a tier-1 report reaches the MEA who acknowledges
it; an emergency is saved at the first submit and answered with its guidance; staff resolve a
report in the admin; a report with no situation explains itself."""

import re

import pytest

from escalations.models import Concern
from escalations.services import concern_raise
from profiles.tests.factories import member
from support.tests.factories import supported_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_report_form(site):
    site.go("/")
    site.page.locator("#main-nav").get_by_role("link", name="Report a concern").click()
    site.page.wait_for_url("**/concerns/report/")


def test_a_mentor_reports_a_tier_1_concern_and_the_mea_acknowledges_it(site, group, mea):
    site.journey = "concern-tier1"
    match = supported_match(group, mea, days_ago=30)
    page = site.page
    site.login(match.mentor)
    _open_report_form(site)
    site.check("form")
    page.get_by_label(re.compile("^It is hard to get in touch")).check()
    page.get_by_label("My mentee").check()
    page.locator("#id_details").fill("We have not managed to meet for three weeks.")
    page.get_by_role("button", name="Send the report now").click()
    page.wait_for_url(re.compile(r"/concerns/mine/\d+/$"))
    assert "Your report was sent" in page.get_by_role("status").first.inner_text()
    site.check("sent")
    concern = Concern.objects.get()
    assert (concern.tier, concern.routed_to_mea, concern.status) == (1, mea, Concern.Status.OPEN)

    site.logout()
    site.login(mea)
    site.go("/concerns/inbox/")
    site.check("mea-inbox")
    page.get_by_role("link", name=f"#{concern.pk}").click()
    page.wait_for_url(f"**/concerns/inbox/{concern.pk}/")
    assert "We have not managed to meet" in page.locator("main").inner_text()
    site.check("mea-report")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    assert "Acknowledged" in page.get_by_role("heading", level=1).inner_text()
    site.check("acknowledged")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ACKNOWLEDGED


def test_a_mentor_reports_an_emergency_and_one_submit_saves_it_and_shows_the_guidance(site, group, mea):
    site.journey = "concern-emergency"
    match = supported_match(group, mea, days_ago=30)
    page = site.page
    site.login(match.mentor)
    _open_report_form(site)
    page.get_by_label(re.compile("^Your mentee is about to hurt themselves")).check()
    page.get_by_label("My mentee").check()
    page.get_by_role("button", name="Send the report now").click()
    page.wait_for_url(re.compile(r"/concerns/mine/\d+/$"))
    concern = Concern.objects.get()
    assert concern.tier == 3 and concern.escalated_to_staff, "saved at the first submit"

    assert page.get_by_role("heading", name="Someone is about to hurt themselves").is_visible()
    calls = page.locator("main a[href^='tel:']")
    assert calls.count() >= 1 and calls.first.is_visible()
    assert "tel:911" in calls.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "Program staff and the MEA can read it now" in page.locator("main").inner_text()
    site.check("guidance")


def test_a_report_without_a_situation_explains_next_to_the_list_and_saves_nothing(site, group, mea):
    site.journey = "errors-concern"
    match = supported_match(group, mea, days_ago=30)
    page = site.page
    site.login(match.mentor)
    _open_report_form(site)
    page.get_by_label("My mentee").check()
    page.get_by_role("button", name="Send the report now").click()
    page.wait_for_load_state()
    error = page.locator("#situations-error")
    assert error.is_visible() and error.inner_text().strip() == "Choose at least one situation."
    # The message sits inside the group of situations, under its question.
    assert page.locator("fieldset:has(#situations-error) > legend").first.inner_text().startswith("What is happening?")
    # A screen reader hears the message on the group and on each box.
    assert page.locator("fieldset[aria-describedby='situations-error']").count() == 1
    first_box = page.locator("input[name='situations']").first
    assert first_box.get_attribute("aria-describedby") == "situations-error"
    site.check("no-situation")
    assert not Concern.objects.exists()


def test_staff_acknowledge_and_resolve_a_concern_in_the_admin(site, group, mea, staff_user):
    site.journey = "concern-admin"
    match = supported_match(group, mea, days_ago=30)
    concern = concern_raise(reporter=match.mentor, match=match, situations=["victim_of_abuse"], about="mentee",
                            details="Told me about it at our last meeting.")
    page = site.page
    site.login(staff_user)
    site.go("/admin/")
    site.check("index")
    page.get_by_role("link", name=re.compile("^Concern", re.I)).first.click()
    page.wait_for_url("**/admin/escalations/concern/")
    site.check("queue")

    def run_action(label, **fields):
        page.locator(f"input[name=_selected_action][value='{concern.pk}']").check()
        for name, value in fields.items():
            page.locator(f"[name={name}]").fill(value)
        page.locator("select[name=action]").select_option(label=label)
        page.locator("button[name=index]").click()
        page.wait_for_load_state()

    run_action("Acknowledge")
    assert "1 acknowledged" in page.locator(".messagelist").inner_text()
    run_action("Resolve with the outcome given", outcome="Staff called the mentee; referred to a local service.")
    assert "1 resolved" in page.locator(".messagelist").inner_text()
    site.check("resolved")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESOLVED
    assert concern.outcome.startswith("Staff called the mentee")

    page.get_by_role("link", name=str(concern.pk), exact=True).first.click()
    page.wait_for_url(f"**/admin/escalations/concern/{concern.pk}/change/")
    site.check("history")
    assert "Resolved" in page.locator("main, #content").first.inner_text()


def test_a_member_outside_the_match_cannot_open_its_report(site, group, mea):
    """The reporter's page is theirs alone: anyone else gets the friendly 404."""
    site.journey = "concern-404"
    match = supported_match(group, mea, days_ago=30)
    concern = concern_raise(reporter=match.mentor, match=match, situations=["relational"], about="mentee")
    site.login(member("mentor", group))
    response = site.page.goto(site.url(f"/concerns/mine/{concern.pk}/"))
    assert response.status == 404
    site.check("not-found")
