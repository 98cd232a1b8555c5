"""A program runs itself from day one, in a real browser, from an empty database.

The only shell step is the first staff account (manage.py create_staff). From there:
staff create a group in the admin and appoint its coordinator by invitation; the
coordinator invites a mentee and a mentor; both sign up from the emailed links; the
mentor completes the orientation and applies; the coordinator approves, proposes a
match and both accept; the coordinator appoints an MEA by invitation, who completes
the MEA orientation, is given the match and records a check-in. Nobody is a superuser.
Emails are read from the outbox (the outer edge: what the mail server would deliver).
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command

from matches.models import Match, MentorApplication
from profiles.models import Role, SupportGroup, User
from support.models import CheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"


def _link(email: str) -> str:
    # From the email as sent: the outbox blanks an invitation's body once it is delivered (its link is a secret).
    body = [m.body for m in mail.outbox if email in m.to and m.subject.startswith("You are invited")][-1]
    return re.search(r"https?://\S+?(/people/invite/\S+?/)", body).group(1)


def _sign_in(site, email):
    site.logout()
    site.go("/accounts/login/")
    site.page.locator("#id_login").fill(email)
    site.page.locator("#id_password").fill(PASSWORD)
    site.page.locator("main form button[type=submit]").click()
    site.page.wait_for_load_state()


def _invite(site, group_name, lines, role, step):
    page = site.page
    site.go("/")
    page.get_by_role("link", name="Invitations").first.click()
    page.wait_for_url("**/people/invitations/")
    page.locator("#id_group").select_option(label=group_name)
    page.locator("#id_role").select_option(role)
    page.locator("#id_addresses").fill(lines)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    site.check(f"{step}-preview")
    page.get_by_role("button", name=re.compile(r"^Send \d+ invitation")).click()
    page.wait_for_url("**/people/invitations/")
    assert "sent" in page.get_by_role("status").first.inner_text()


def _sign_up_from_link(site, email, step):
    site.logout()
    site.go(_link(email))
    page = site.page
    page.wait_for_url("**/accounts/signup/")
    assert page.locator("#id_email").input_value() == email
    site.check(f"{step}-signup")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert User.objects.get(email=email).emailaddress_set.get().verified


def _orientation(site, step):
    page = site.page
    site.check(f"{step}-orientation")
    while page.get_by_role("button", name=re.compile("^I have read")).count():
        page.get_by_role("button", name=re.compile("^I have read")).first.click()
        page.wait_for_load_state()
    assert "You have completed the orientation" in page.locator("main").inner_text()


def test_a_program_starts_from_an_empty_database_with_one_command(site, settings):
    settings.MFA_ENFORCE = False
    assert not User.objects.exists() and not SupportGroup.objects.exists()
    # The orientation's items come with the migrations; an earlier browser test's flush
    # (transactional tests empty every table) removes them, so put them back as migrate does.
    importlib.import_module("profiles.migrations.0002_orientation_items").add_items(django_apps, None)
    call_command("create_staff", email="director@program.example", password=PASSWORD)
    page = site.page

    # Staff: a group in the admin, then its coordinator by invitation.
    _sign_in(site, "director@program.example")
    site.go("/admin/profiles/supportgroup/add/")
    page.locator("#id_name").fill("Harbor Evening Group")
    page.locator("#id_slug").fill("harbor")
    page.locator("#id_open_to_requests").check()
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    assert site.path() == "/admin/profiles/supportgroup/", page.locator("#content").inner_text()[:1500]
    group = SupportGroup.objects.get(name="Harbor Evening Group")
    _invite(site, group.name, "coord@program.example", "coordinator", "staff-invites")

    _sign_up_from_link(site, "coord@program.example", "coordinator")
    assert site.path() == "/matches/coordinator/"
    coordinator = User.objects.get(email="coord@program.example")
    assert group.pk in coordinator.coordinated_group_ids and not coordinator.is_superuser

    # The coordinator invites a mentee and a mentor; both sign up from their links.
    _invite(site, group.name, "taylor@program.example\njordan@program.example, mentor", "mentee", "coordinator-invites")
    _sign_up_from_link(site, "taylor@program.example", "mentee")
    assert site.path() == "/matches/mentee/"
    _sign_up_from_link(site, "jordan@program.example", "mentor")
    assert site.path() == "/"
    site.check("mentor-home")

    # The mentor completes the orientation, then applies.
    page.get_by_role("link", name="Start the orientation").click()
    page.wait_for_url("**/people/orientation/**")
    _orientation(site, "mentor")
    site.go("/")
    assert "Start the orientation" not in page.locator("main").inner_text()
    page.get_by_role("link", name="Apply to mentor").first.click()
    page.wait_for_url("**/matches/apply/")
    page.locator("#id_months_in_group").fill("14")
    page.locator("input[name=qualities][value=experience]").check()
    page.locator("input[name=qualities][value=compassion]").check()
    page.locator("#id_capacity").fill("2")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_load_state()
    site.check("applied")
    assert MentorApplication.objects.filter(applicant__email="jordan@program.example").exists(), \
        page.locator("main").inner_text()[:1500]

    # The coordinator approves and proposes the pair; both accept.
    _sign_in(site, "coord@program.example")
    assert site.path() == "/matches/coordinator/"
    mentor, mentee = User.objects.get(email="jordan@program.example"), User.objects.get(email="taylor@program.example")
    page.locator("section.card", has_text=mentor.display_name).get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    page.locator("tr", has_text=mentee.display_name).get_by_role("link", name="Suggestions").click()
    page.wait_for_url(f"**/matches/suggestions/{mentee.pk}/")
    card = page.locator("section.card", has_text=mentor.display_name)
    card.get_by_label("Why this pair").fill("Both rebuilding after a divorce.")
    card.get_by_role("button", name="Propose this pair").click()
    page.wait_for_url("**/matches/coordinator/")
    for email in ("jordan@program.example", "taylor@program.example"):
        _sign_in(site, email)
        page.locator("li.list-group-item", has_text="Coordinator").get_by_role("link", name="Open").first.click()
        page.get_by_label(re.compile("not close friends or romantic partners")).check()
        page.get_by_role("button", name="Yes, I accept").click()
        page.wait_for_load_state()
    match = Match.objects.get(mentor=mentor, mentee=mentee, status=Match.Status.ACTIVE)

    # The coordinator appoints an MEA by invitation; the MEA completes the orientation.
    _sign_in(site, "coord@program.example")
    _invite(site, group.name, "alex@program.example", "mea", "mea-invite")
    _sign_up_from_link(site, "alex@program.example", "mea")
    assert site.path() == "/support/mea/"
    site.go("/people/orientation/")
    _orientation(site, "mea")
    mea = User.objects.get(email="alex@program.example")
    assert mea.has_role(Role.MEA)

    # The coordinator gives the match its MEA; the MEA records a check-in.
    _sign_in(site, "coord@program.example")
    site.go("/support/members/")
    site.check("members")
    assert "alex@program.example" in page.locator("main").inner_text()
    site.go(f"/support/matches/{match.pk}/")
    page.locator("#id_mea").select_option(str(mea.pk))
    page.locator("form[action$='/mea/'] button[type=submit]").click()
    page.wait_for_load_state()
    _sign_in(site, "alex@program.example")
    page.get_by_role("link", name="Record a check-in").first.click()
    page.wait_for_url(f"**/support/matches/{match.pk}/check-in/")
    page.locator("#id_with_whom").select_option("both")
    page.get_by_label("4", exact=True).check()
    page.locator("#id_meetings_held").fill("2")
    page.locator("#id_meetings_cancelled").fill("0")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(f"**/support/matches/{match.pk}/")
    site.check("checked-in")
    assert CheckIn.objects.filter(match=match, mea=mea).exists()
    assert not User.objects.filter(is_superuser=True).exists()
