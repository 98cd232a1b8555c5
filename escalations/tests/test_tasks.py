"""Follow-through and delivery: deadlines that escalate and re-send (the clock is moved),
the outbox drained after a broker outage, once, and nothing reported leaking out."""

import contextlib
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from escalations import notifications
from escalations.models import Concern
from escalations.services import concern_acknowledge, concern_raise
from escalations.tasks import check_concern_deadlines
from mentorship.celery import app as celery_app
from notifications.models import Delivery, Notice
from notifications.tasks import outbox_drain
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def report(match, *situations, about="mentee", details="details"):
    return concern_raise(reporter=match.mentor, match=match, situations=list(situations), about=about, details=details)


def rows(concern, **filters):
    return Delivery.objects.filter(topic=notifications.topic(concern.pk), **filters)


def steps(concern):
    """(step, address) of each email about the report, in the order they were planned."""
    return [(key.split(":")[2], to) for key, to in
            rows(concern, channel="email").order_by("pk").values_list("dedupe_key", "to")]


# --- Acknowledgement deadlines ------------------------------------------------------


def test_a_tier_one_report_the_mea_did_not_acknowledge_in_time_moves_to_staff(match, staff_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = report(match, "conflict")
        clock.shift(timedelta(hours=71))
        check_concern_deadlines()
        concern.refresh_from_db()
        assert not concern.escalated_to_staff
        clock.shift(timedelta(hours=2))
        check_concern_deadlines()
    concern.refresh_from_db()
    assert concern.escalated_to_staff and concern.status == "open"
    assert concern.events.last().what == "escalated" and concern.events.last().actor is None
    assert ("escalated", staff_user.email) in steps(concern)


def test_a_tier_one_report_acknowledged_in_time_stays_with_the_mea(match, staff_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = concern_acknowledge(report(match, "conflict"), match.mea)
        clock.shift(timedelta(days=30))
        check_concern_deadlines()
    concern.refresh_from_db()
    assert not concern.escalated_to_staff


def test_a_staff_report_not_acknowledged_is_sent_again_then_to_every_staff_member_again_and_again(
    match, staff_user, group, settings
):
    settings.ESCALATION_MAX_RESENDS = 2
    second_staff = member("staff", group)
    settings.STAFF_EMAIL = "inbox@program.example"  # the program's staff inbox gets the first notices
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = report(match, "victim_of_abuse")
        settings.ESCALATION_ACK_DEADLINES = {1: 1, 2: 1, 3: 1}  # later changes do not apply to this report
        for _ in range(5):
            clock.shift(timedelta(hours=25))
            check_concern_deadlines()
    sent = steps(concern)
    assert sent[:4] == [
        ("raised", match.mea.email), ("raised", "inbox@program.example"),
        ("resend-1", "inbox@program.example"), ("resend-2", "inbox@program.example"),
    ]
    everyone = [staff_user.email, second_staff.email]
    assert sorted(sent[4:]) == sorted((step, email) for step in ("all-staff", "all-staff-2", "all-staff-3")
                                      for email in everyone)
    concern.refresh_from_db()
    assert concern.resends == 2 and concern.all_staff_notified_at is not None and concern.all_staff_rounds == 3
    assert [e for e in concern.events.values_list("what", flat=True)] == [
        "raised", "resent", "resent", "all_staff", "all_staff", "all_staff"]


def test_an_emergency_is_sent_again_after_an_hour(match, staff_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = report(match, "decompensation")
        clock.shift(timedelta(minutes=59))
        check_concern_deadlines()
        assert Concern.objects.get(pk=concern.pk).resends == 0
        clock.shift(timedelta(minutes=2))
        check_concern_deadlines()
    assert Concern.objects.get(pk=concern.pk).resends == 1


def test_an_acknowledged_staff_report_is_not_sent_again(match, staff_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = concern_acknowledge(report(match, "victim_of_abuse"), staff_user)
        clock.shift(timedelta(days=5))
        check_concern_deadlines()
    assert Concern.objects.get(pk=concern.pk).resends == 0


def test_the_deadline_check_run_twice_acts_once(match, staff_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = report(match, "victim_of_abuse")
        clock.shift(timedelta(hours=25))
        check_concern_deadlines()
        check_concern_deadlines()
    assert Concern.objects.get(pk=concern.pk).resends == 1


# --- Delivery: after commit, retried, once --------------------------------------------


def test_a_report_made_with_the_broker_down_is_saved_and_delivered_once_it_is_back(
    client, match, staff_user, dead_broker, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(match.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/concerns/report/", {"match": match.pk, "situations": ["victim_of_abuse"],
                                                     "about": "mentee", "details": "d"}, follow=True)
    concern = Concern.objects.get()
    assert response.status_code == 200 and b"Waiting for program staff" in response.content
    assert rows(concern, status="pending").count() == 2
    assert not mailoutbox

    celery_app.conf.task_always_eager = True  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_drain()["sent"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_drain()["sent"] == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([match.mea.email, staff_user.email])
    assert not rows(concern, status="pending").exists()


@pytest.mark.postgres
def test_the_delivery_run_twice_at_once_sends_once(match, staff_user, transactional_db, mailoutbox):
    from notifications.delivery import deliver_many

    concern = report(match, "harassed")
    row = rows(concern).get()
    Delivery.objects.filter(pk=row.pk).update(status="pending", sent_at=None, next_attempt_at=timezone.now())
    mailoutbox.clear()
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(deliver_many([row.pk]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(0, 0), (1, 0)]
    assert [m.to for m in mailoutbox] == [[staff_user.email]]


@pytest.mark.postgres
def test_a_step_planned_twice_at_once_is_one_notification_per_recipient(match, staff_user, transactional_db):
    concern = report(match, "harassed")
    barrier = threading.Barrier(2)
    errors = []

    def plan():
        try:
            c = Concern.objects.get(pk=concern.pk)
            barrier.wait()
            with transaction.atomic():
                notifications.plan_notifications(c, "resend-9", mea=False, staff=True)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [step for step, _to in steps(concern)].count("resend-9") == 1


@pytest.mark.postgres
def test_the_database_refuses_a_second_notification_for_the_same_step_and_recipient(match, staff_user):
    from django.db import IntegrityError

    concern = report(match, "harassed")
    row = rows(concern).get()
    with pytest.raises(IntegrityError):
        Delivery.objects.create(to=row.to, subject="again", body_text="again", dedupe_key=row.dedupe_key)


# --- Staff chat webhook (only the HTTP endpoint is fake) -------------------------------


class _Endpoint(BaseHTTPRequestHandler):
    bodies: list = []
    status = 204

    def do_POST(self):  # noqa: N802
        type(self).bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_endpoint(settings):
    _Endpoint.bodies, _Endpoint.status = [], 204
    server = HTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STAFF_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    yield _Endpoint
    server.shutdown()


def test_staff_reports_are_posted_to_the_chat_webhook_in_slack_format(match, staff_user, chat_endpoint,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = report(match, "victim_of_abuse")
    assert len(chat_endpoint.bodies) == 1
    assert f"#{concern.pk}" in chat_endpoint.bodies[0]["text"]


def test_discord_format_is_used_for_a_discord_webhook(match, staff_user, chat_endpoint, settings,
                                                      django_capture_on_commit_callbacks):
    settings.STAFF_WEBHOOK_FORMAT = "discord"
    with django_capture_on_commit_callbacks(execute=True):
        report(match, "harassed")
    assert "content" in chat_endpoint.bodies[0] and chat_endpoint.bodies[0]["allowed_mentions"] == {"parse": []}


def test_a_failing_webhook_is_retried_until_delivered(match, staff_user, chat_endpoint, django_capture_on_commit_callbacks):
    chat_endpoint.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        # The eager task's retry may surface here; the row stays in the outbox either way.
        with contextlib.suppress(Exception):
            report(match, "harassed")
    row = Delivery.objects.get(channel="webhook")
    assert row.sent_at is None and row.last_error
    chat_endpoint.status = 204
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        outbox_drain()
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_at is not None


def test_tier_one_reports_held_by_the_mea_are_not_posted_to_the_staff_chat(match, chat_endpoint,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(match, "conflict")
    assert chat_endpoint.bodies == []


# --- Privacy: what was reported never leaves the report ------------------------------


def test_no_report_text_reaches_notifications_logs_or_the_outbox(
    client, match, staff_user, chat_endpoint, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    marker = "MARKER-a7f3-private"
    caplog.set_level("DEBUG")
    client.force_login(match.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/concerns/report/", {"match": match.pk, "situations": ["victim_of_abuse", "conflict"],
                                          "about": "mentee", "details": marker})
    concern = Concern.objects.get()
    assert concern.details == marker
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        with django_capture_on_commit_callbacks(execute=True):
            check_concern_deadlines()
            outbox_drain()
    assert mailoutbox and chat_endpoint.bodies
    leaks = [caplog.text, json.dumps(chat_endpoint.bodies)]
    leaks += [m.subject + m.body + str(m.alternatives) for m in mailoutbox]
    leaks += [str(list(Delivery.objects.values())),
              str(list(Notice.objects.values()))]
    for text in leaks:
        assert marker not in text
        assert "victim of abuse" not in text.lower()


def test_an_unacknowledged_emergency_is_repeated_to_every_staff_member_at_a_capped_interval(match, staff_user,
                                                                                         settings):
    settings.ESCALATION_MAX_RESENDS = 0
    settings.ESCALATION_REPEAT_MAX_HOURS = 4
    with time_machine.travel(timezone.now(), tick=False) as clock:
        concern = report(match, "decompensation")  # tier 3: one hour to acknowledge
        gaps = []
        for _ in range(6):
            concern.refresh_from_db()
            gaps.append(concern.ack_deadline)
            clock.move_to(concern.ack_deadline + timedelta(seconds=1))
            check_concern_deadlines()
        concern.refresh_from_db()
        assert concern.all_staff_rounds == 6
        hours = [round((b - a).total_seconds() / 3600) for a, b in zip(gaps, gaps[1:], strict=False)]
        assert hours == [1, 2, 4, 4, 4], hours  # doubling, then capped
        concern_acknowledge(concern, staff_user)
        clock.shift(timedelta(days=2))
        check_concern_deadlines()
    concern.refresh_from_db()
    assert concern.all_staff_rounds == 6, "acknowledged: the chain stops"


def test_thousands_of_long_unacknowledged_reports_do_not_delay_a_new_ones_follow_up(match, staff_user, settings):
    settings.ESCALATION_MAX_RESENDS = 0
    settings.ESCALATION_REPEAT_MAX_HOURS = 24
    long_ago = timezone.now() - timedelta(days=30)
    # Reports whose chain ran long ago and that nobody acknowledged, all due again.
    Concern.objects.bulk_create([
        Concern(reporter=match.mentor, match=match, group=match.group, about="mentee", situations=["victim_of_abuse"],
                tier=2, kind="monitor", escalated_to_staff=True, escalated_at=long_ago, deadlines={"2": 24.0},
                ack_deadline=long_ago + timedelta(minutes=i), resends=0, all_staff_rounds=9,
                all_staff_notified_at=long_ago, created_at=long_ago)
        for i in range(2000)
    ])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fresh = report(match, "decompensation")
        clock.shift(timedelta(minutes=65))
        check_concern_deadlines(batch_size=500)
    fresh.refresh_from_db()
    assert fresh.all_staff_rounds == 1 and fresh.all_staff_notified_at is not None
    assert not Concern.objects.filter(status="open", ack_deadline__lte=timezone.now()).exists()
