"""Program settings: staff edit them on one admin page; the environment gives the defaults."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from audit.models import History
from matches.tests.factories import MatchFactory
from notifications.models import Delivery
from profiles.models import ProgramSettings
from profiles.program import program_settings
from profiles.tests.factories import member
from support import services
from support.models import Reminder
from support.tasks import reminders_scan

pytestmark = pytest.mark.django_db

URL = "/admin/profiles/programsettings/1/change/"
NOON_NY_WINTER = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def _form(**changes) -> dict:
    fields = {
        "program_name": "", "staff_email": "", "time_zone": "", "emergency_numbers": "", "checkin_first_days": "",
        "checkin_every_days": "", "checkin_overdue_after_days": "", "checkin_long_overdue_days": "",
        "ack_hours_tier1": "", "ack_hours_tier2": "", "ack_hours_tier3": "", "mea_caseload_limit": "",
        "proposal_remind_after_hours": "", "proposal_expire_after_hours": "", "unmatched_nudge_after_days": "",
        "chat_post_ttl_days": "", "small_cell_threshold": "", "emergency_services": "", "crisis_line": "",
        "crisis_text": "", "dv_hotline": "", "dv_text": "", "child_abuse_hotline": "",
    }
    return {**fields, **changes}


def test_with_nothing_saved_the_environment_settings_are_in_force(settings):
    settings.MEA_CASELOAD_LIMIT = 3
    settings.PROGRAM_NAME = "Env Program"
    values = program_settings()
    assert values.mea_caseload_limit == 3 and values.program_name == "Env Program"
    assert values.checkin_cadence["first"] == [14, 30]


def test_program_staff_see_the_settings_page_with_each_default_shown(client, staff_user, settings):
    settings.MEA_CASELOAD_LIMIT = 7
    client.force_login(staff_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Blank: 7." in response.content.decode()
    assert client.get("/admin/profiles/programsettings/").url == URL


def test_program_staff_change_a_setting_and_it_is_in_force_and_audited(client, staff_user):
    assert not staff_user.is_superuser
    client.force_login(staff_user)
    response = client.post(URL, _form(program_name="Harbour Peer Mentors", mea_caseload_limit="4",
                                      emergency_numbers="Emergency services | 112 | call\nCrisis text line | 741741 | text"))
    assert response.status_code == 302, response.content.decode()[:3000]
    values = program_settings()
    assert values.program_name == "Harbour Peer Mentors" and values.mea_caseload_limit == 4
    assert values.emergency_numbers[1] == {"label": "Crisis text line", "number": "741741", "kind": "text"}
    event = History.objects.tracks(ProgramSettings.objects.get(pk=1)).filter(pgh_context__user=staff_user.pk).first()
    assert event.pgh_data["mea_caseload_limit"] == 4
    assert "Harbour Peer Mentors" in client.get("/", follow=True).content.decode()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ack_hours_tier1", "-4", "Hours must be more than zero."),
    ("proposal_expire_after_hours", "0", "Hours must be more than zero."),
    ("emergency_numbers", "Emergency | call us | call", "is not a number a phone can dial"),
    ("emergency_numbers", "Emergency | 911 | fax", "“call” or “text”"),
    ("checkin_first_days", "30, 14", "increasing"),
    ("mea_caseload_limit", "-1", ""),
    ("time_zone", "Mars/Olympus", "is not a time zone name"),
    ("proposal_remind_after_hours", "500", "The reminder must come before the proposal expires."),
])
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_changes(client, staff_user, field, value, message):
    client.force_login(staff_user)
    response = client.post(URL, _form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgramSettings.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "mea", "mentor"])
def test_other_roles_cannot_open_the_settings(client, group, role):
    client.force_login(member(role, group))
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert client.post(URL, _form(mea_caseload_limit="1")).status_code in (302, 403)
    assert not ProgramSettings.objects.exists()


def test_staff_change_the_check_in_cadence_and_the_next_reminder_follows_it(client, staff_user, group, time_machine):
    client.force_login(staff_user)
    assert client.post(URL, _form(checkin_first_days="7")).status_code == 302
    time_machine.move_to(NOON_NY_WINTER - timedelta(days=7), tick=False)
    mea = member("mea", group)
    match = MatchFactory(mentor=member("mentor", group), mentee=member("mentee", group), group=group, mea=mea,
                         started_at=timezone.now())
    support = services.support_for(match)
    assert support.next_due == timezone.localdate(match.started_at) + timedelta(days=7)  # was day 14
    time_machine.move_to(NOON_NY_WINTER, tick=False)
    reminders_scan()
    assert Reminder.objects.filter(status=Reminder.Status.SENT, kind=Reminder.Kind.CHECKIN_DUE, match=match).exists()
    assert Delivery.objects.filter(to=mea.email).exists()


def test_the_caseload_limit_and_proposal_expiry_come_from_the_saved_settings(staff_user, group):
    from matches.links import link_max_age
    from matches.selectors import suggest_mea

    ProgramSettings(mea_caseload_limit=1, proposal_expire_after_hours=10, proposal_remind_after_hours=2).save()
    mea = member("mea", group)
    assert suggest_mea(group.pk) == mea
    MatchFactory(group=group, mea=mea)
    assert suggest_mea(group.pk) is None
    assert link_max_age() == 10 * 3600


def test_staff_set_the_crisis_line_and_the_public_emergency_page_shows_it_without_reading_the_database(
        client, staff_user, django_db_blocker):
    client.force_login(staff_user)
    response = client.post(URL, _form(crisis_line="1-800-273-8255", emergency_services="112"))
    assert response.status_code == 302
    client.logout()
    with django_db_blocker.block():
        html = client.get("/help/").content.decode()
    assert 'href="tel:112"' in html and 'href="tel:1-800-273-8255"'.replace("-", "") in html.replace("-", "")


def test_an_undialable_crisis_line_is_refused(client, staff_user):
    client.force_login(staff_user)
    response = client.post(URL, _form(crisis_line="call us"))
    assert response.status_code == 200 and "is not a number a phone can dial" in response.content.decode()
    assert not ProgramSettings.objects.exists()
