"""A mail server refusing every message for two hours (simulated: the clock is moved and
the beat's drain runs each minute): no report notification is given up, staff hear of the
report on the other channels meanwhile, /healthz says what is stuck, and once the server
is back every email arrives exactly once."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalations.notifications import topic
from escalations.services import concern_raise
from escalations.tasks import check_concern_deadlines
from mentorship.tasks import beat_heartbeat
from notifications.models import Delivery, Notice
from notifications.tasks import outbox_drain
from profiles.models import Role
from profiles.tests.factories import member
from tests.faults import FakeWebhook

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def webhook(settings):
    hook = FakeWebhook()
    settings.STAFF_WEBHOOK_URL = hook.url
    try:
        yield hook
    finally:
        hook.close()


def minute(clock, django_capture_on_commit_callbacks) -> None:
    """One minute of beat: the heartbeat, the deadline check and the outbox drain."""
    clock.shift(timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        beat_heartbeat()
        check_concern_deadlines()
        outbox_drain()


def test_two_hours_of_a_refusing_mail_server_lose_no_report_email_and_staff_hear_of_it_meanwhile(
    client, match, group, staff_user, smtp_server, webhook, django_capture_on_commit_callbacks
):
    second_staff = member(Role.STAFF, group)
    smtp_server.refusing, smtp_server.refuse_with = True, "554 transaction failed"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            concern = concern_raise(reporter=match.mentor, match=match, situations=["victim_of_abuse"], about="mentee",
                                    details="d")
        emails = Delivery.objects.filter(topic=topic(concern.pk), channel="email")
        assert set(emails.values_list("to", flat=True)) == {match.mea.email, staff_user.email, second_staff.email}

        for elapsed in range(1, 121):
            minute(clock, django_capture_on_commit_callbacks)
            if elapsed == 30:
                response = client.get("/healthz")
                assert response.status_code == 503
                health = response.json()
                (stuck,) = health["stuck"]
                assert stuck["channel"] == "email" and stuck["count"] == 3
                assert stuck["oldest_age_seconds"] >= 30 * 60
                assert health["mail_server"]["state"] == "failing"
                assert health["mail_server"]["last_error"] == "SMTPDataError"
                assert match.mea.email not in response.content.decode()
        assert smtp_server.received() == {}
        assert not emails.exclude(status="pending").exists(), "nothing given up, nothing marked delivered"
        assert max(emails.values_list("attempts", flat=True)) >= 12, "retried all along"
        # Meanwhile staff were told on the other channels: a portal notice each, and the staff chat.
        for person in (staff_user, second_staff):
            assert Notice.objects.filter(user=person, title__contains="could not be delivered").count() == 1
        assert any(f"#{concern.pk}".encode() in body for body in webhook.accepted)

        smtp_server.refusing = False
        for _ in range(15):
            minute(clock, django_capture_on_commit_callbacks)
        assert client.get("/healthz").status_code == 200
    delivered = Counter(to for to, _subject in smtp_server.received().elements())
    assert delivered == Counter(emails.values_list("to", flat=True)), "every report email exactly once"
    assert not emails.exclude(status="sent").exists()


def test_once_the_report_is_acknowledged_its_unsent_emails_are_expired_visibly_not_sent_late(
    match, staff_user, smtp_server, django_capture_on_commit_callbacks
):
    from escalations.services import concern_acknowledge

    smtp_server.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_raise(reporter=match.mentor, match=match, situations=["victim_of_abuse"], about="mentee",
                                details="d")
    emails = Delivery.objects.filter(topic=topic(concern.pk))
    assert emails.filter(status="pending").count() == 2
    concern_acknowledge(concern, staff_user)
    assert emails.filter(status="expired").count() == 2, "kept and counted, not deleted"
    smtp_server.refusing = False
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        outbox_drain()
    assert smtp_server.received() == {}
