"""What a member confides never leaves its record: no report text, check-in content,
self check-in answer or private ending reason in logs, emails (outbox and sent),
portal notices, the staff chat webhook or Celery task arguments.

One marker is planted through the real pages in every confidential field
(a report, an MEA check-in that escalates, a self check-in that escalates, a
private ending reason), the beat's jobs run (deadlines, notices, reminders,
the email outbox), and every channel is searched for it.
"""

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from celery.signals import before_task_publish, task_prerun
from django.urls import reverse
from django.utils import timezone

from escalations.models import Concern
from escalations.tasks import check_concern_deadlines
from matches.models import Match
from matches.tests.factories import MatchFactory
from notifications.models import Delivery, Notice
from notifications.tasks import outbox_drain
from support.models import CheckIn, CheckInRequest, MatchSupport
from support.tasks import reminders_scan

pytestmark = pytest.mark.django_db

MARKER = "MARKER-5d2b-confided"


class _Hook(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802
        type(self).bodies.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def staff_chat(settings):
    _Hook.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STAFF_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    yield _Hook
    server.shutdown()


@pytest.fixture
def task_arguments():
    """Every task's arguments, whether run inline (tests) or published to the broker."""
    seen: list[str] = []

    def on_run(task=None, args=None, kwargs=None, **_):
        seen.append(f"{task.name} {args!r} {kwargs!r}")

    def on_publish(body=None, headers=None, **_):
        seen.append(f"{headers!r} {body!r}")

    task_prerun.connect(on_run, weak=False)
    before_task_publish.connect(on_publish, weak=False)
    yield seen
    task_prerun.disconnect(on_run)
    before_task_publish.disconnect(on_publish)


def test_nothing_confided_reaches_logs_emails_notices_the_webhook_or_task_arguments(
    client, mentor, mentee, mea, group, staff_user, staff_chat, task_arguments, caplog, mailoutbox,
    django_capture_on_commit_callbacks,
):
    caplog.set_level("DEBUG")
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    MatchSupport.objects.create(match=match, next_due=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        # The MEA's check-in: every text field, and a worry naming a staff-tier situation.
        client.force_login(mea)
        response = client.post(reverse("support:checkin_create", args=[match.pk]), {
            "with_whom": "mentee", "held_on": timezone.localdate().isoformat(), "rating": 2, "meetings_held": 1,
            "meetings_cancelled": 0, "to_celebrate": MARKER, "worrying": MARKER, "private_note": MARKER,
            "situations": ["victim_of_abuse"],
        })
        assert response.status_code == 302
        client.post(reverse("support:request_create", args=[match.pk]), {"respondent": "mentee"})
    # The self check-in's reminder goes out at a waking hour, by the beat.
    tomorrow_noon = datetime.combine(timezone.localdate() + timedelta(days=1), datetime.min.time()).replace(
        hour=17, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(tomorrow_noon, tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders_scan()
    with django_capture_on_commit_callbacks(execute=True):
        # The mentee answers: both texts, and a worry naming an MEA-tier situation.
        client.force_login(mentee)
        request = CheckInRequest.objects.get(respondent=mentee)
        response = client.post(reverse("support:request_answer", args=[request.pk]), {
            "rating": 3, "meetings_held": 2, "meetings_cancelled": 1, "to_celebrate": MARKER, "worrying": MARKER,
            "situations": ["conflict"],
        })
        assert response.status_code == 302
        # The mentor's report through the form, then the mentor ends the match with a private reason.
        client.force_login(mentor)
        client.post(reverse("escalations:report"), {"match": match.pk, "situations": ["harassed", "conflict"],
                                                    "about": "mentee", "details": MARKER})
        response = client.post(reverse("matches:match_end", args=[match.pk]),
                               {"reason": MARKER, "gratitude_note": "", "rating": "3"})
        assert response.status_code == 302
    # Deadlines pass: reports are escalated and staff told again; the outboxes drain.
    with time_machine.travel(timezone.now() + timedelta(days=3)), django_capture_on_commit_callbacks(execute=True):
        check_concern_deadlines()
        outbox_drain()

    # The marker went in everywhere it was typed...
    checkin = CheckIn.objects.get(match=match)
    assert (checkin.to_celebrate, checkin.worrying, checkin.private_note) == (MARKER, MARKER, MARKER)
    request.refresh_from_db()
    assert (request.to_celebrate, request.worrying) == (MARKER, MARKER)
    assert Concern.objects.filter(details=MARKER).count() == 3, "the check-in, the self check-in and the form"
    assert set(Concern.objects.values_list("source", flat=True)) == {"checkin", "portal"}
    assert Match.objects.get(pk=match.pk).end_reason == MARKER
    # ...and every channel was used, so the search below is not of empty places.
    assert mailoutbox and staff_chat.bodies and task_arguments and caplog.text
    subjects = {m.subject for m in mailoutbox}
    assert {"Your MEA asked how your mentoring is going", "Your mentorship match has ended"} <= subjects
    assert sum("report needs" in s for s in subjects) == 3
    assert {"notifications.tasks.deliver_batch", "support.tasks.send_reminders"} <= {
        t.split()[0] for t in task_arguments}
    assert Notice.objects.filter(user=mea).exists() and Notice.objects.filter(user=staff_user).exists()

    channels = {
        "logs": caplog.text,
        "task arguments": "\n".join(task_arguments),
        "staff chat": "\n".join(staff_chat.bodies),
        "emails sent": "\n".join(m.subject + m.body + str(m.alternatives) for m in mailoutbox),
        "email outbox": str(list(Delivery.objects.values())),
        "portal notices": str(list(Notice.objects.values())),
    }
    for channel, text in channels.items():
        assert MARKER not in text, f"confided text reached the {channel}"
        for situation in ("victim of abuse", "harassed", "conflict that needs"):
            assert situation not in text.lower(), f"a situation's wording reached the {channel}"
    assert json.dumps(channels)  # all plain text


@pytest.mark.postgres
@pytest.mark.redis
def test_through_a_real_worker_the_broker_messages_and_the_worker_output_hold_no_confided_text(
    client, celery_worker_process, mentor, mentee, mea, group, staff_user, task_arguments,
):
    """The same, with tasks published to Redis and run by a worker process: what the
    broker carried (the published message bodies) and everything the worker printed
    (its log, and the emails it sent, printed by the console backend) hold ids only."""
    from conftest import wait_until

    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    MatchSupport.objects.create(match=match, next_due=timezone.localdate())
    client.force_login(mea)
    response = client.post(reverse("support:checkin_create", args=[match.pk]), {
        "with_whom": "mentor", "held_on": timezone.localdate().isoformat(), "rating": 2, "meetings_held": 1,
        "meetings_cancelled": 0, "to_celebrate": MARKER, "worrying": MARKER, "private_note": MARKER,
        "situations": ["victim_of_abuse"],
    })
    assert response.status_code == 302
    client.force_login(mentor)
    client.post(reverse("escalations:report"), {"match": match.pk, "situations": ["harassed"], "about": "mentee",
                                                "details": MARKER})
    assert Concern.objects.filter(details=MARKER).count() == 2
    emailed = Delivery.objects.filter(channel="email", topic__startswith="concern:")
    assert emailed.count() >= 2
    assert wait_until(lambda: not emailed.filter(status="pending").exists(), timeout=45), (
        "the worker did not deliver:\n" + "".join(celery_worker_process.output[-30:])
    )
    published = [t for t in task_arguments if "deliver_batch" in t]
    assert published, "the notices went through the broker"
    # The notices' emails go out in a task of their own: wait for the worker to print them.
    assert wait_until(lambda: "report needs" in "".join(celery_worker_process.output), timeout=45), \
        "the worker printed the emails it sent"
    worker_output = "".join(celery_worker_process.output)
    for channel, text in {"broker messages": "\n".join(task_arguments), "worker output": worker_output}.items():
        assert MARKER not in text, f"confided text reached the {channel}"
        assert "victim of abuse" not in text.lower() and "harassed" not in text.lower(), channel
