"""A real Celery worker on Redis, SIGKILLed in the middle of delivering (and,
last, working against a mail server that refuses everything for a while): the
SMTP server (or the staff chat) has the message but has not answered yet, so
it was never delivered. A new worker starts and the beat's drains run: every
recipient gets it exactly once, none lost, none doubled.

The dead worker's lease (5 minutes) and the drains' grace period are moved on
by updating the rows' timestamps while no worker runs (age_outboxes). The kill
lands before the far end accepted the message; a worker dying AFTER the far end
accepted and before the row was marked sent may send once more when the lease
runs out (at-least-once, see notifications/delivery.py): that window is not tested as
"exactly once" because it is not.
"""

from collections import Counter

import pytest
from django.urls import reverse

from conftest import wait_until
from escalations.models import Concern
from matches.models import Proposal
from notifications.models import Delivery, Notice
from notifications.tasks import outbox_drain
from profiles.tests.factories import member
from tests.conftest import age_outboxes
from tests.faults import FakeWebhook

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def recipients(smtp) -> Counter:
    return Counter(r for r, _subject in smtp.accepted)


def all_delivered() -> bool:
    return not Delivery.objects.filter(status="pending").exists()


def kill_mid_delivery(worker, held, smtp) -> None:
    assert held.wait(40), "nothing reached the far end:\n" + worker.log()
    delivered_before = len(smtp.accepted)
    worker.kill()
    assert worker.proc.returncode == -9
    assert len(smtp.accepted) == delivered_before
    age_outboxes()  # no worker runs now: the dead worker's leases run out


def recover(start_worker, smtp, expected: Counter, *, extra=lambda: True):
    worker = start_worker()
    drains = []
    for _ in range(2):  # beat, twice (an overlapping run)
        drains.append(outbox_drain.delay())
    # Every drain run has ended (a doubled message would have been sent by one of them).
    done = wait_until(lambda: worker.finished(*drains) and all_delivered() and extra(), timeout=40)
    assert done, f"not delivered: {smtp.accepted}\n{worker.log()}"
    assert recipients(smtp) == expected, smtp.accepted
    return worker


@pytest.fixture
def webhook():
    hook = FakeWebhook()
    try:
        yield hook
    finally:
        hook.close()


def report(client, match):
    client.force_login(match.mentor)
    response = client.post(reverse("escalations:report"),
                           {"match": match.pk, "situations": ["victim_of_abuse"], "about": "mentee",
                            "details": "SECRET-DETAILS"})
    assert response.status_code == 302
    return Concern.objects.get()


def test_a_worker_killed_while_emailing_a_report_loses_no_recipient_and_doubles_none(
    client, program, spare_redis, start_worker, smtp
):
    match, group = program["match"], program["group"]
    staff = [program["staff"], member("staff", group)]
    smtp.hold_nth = 1
    first = start_worker()
    concern = report(client, match)
    kill_mid_delivery(first, smtp.held, smtp)
    assert wait_until(lambda: smtp.dropped, timeout=10), "the held message died with the worker"

    expected = Counter({match.mea.email: 1, staff[0].email: 1, staff[1].email: 1})
    recover(start_worker, smtp, expected)
    assert Delivery.objects.filter(topic=f"concern:{concern.pk}").count() == 3
    for person in (match.mea, *staff):
        assert Notice.objects.filter(user=person, title__contains="report").count() == 1


def test_a_worker_killed_while_posting_a_report_to_the_staff_chat_posts_it_once(
    client, program, spare_redis, start_worker, smtp, webhook, settings
):
    match, staff = program["match"], program["staff"]
    settings.STAFF_WEBHOOK_URL = webhook.url  # this process plans the chat post; the worker sends it
    webhook.hold = 1
    first = start_worker(STAFF_WEBHOOK_URL=webhook.url)
    concern = report(client, match)
    kill_mid_delivery(first, webhook.held, smtp)
    assert not webhook.accepted

    recover(lambda: start_worker(STAFF_WEBHOOK_URL=webhook.url), smtp,
            Counter({match.mea.email: 1, staff.email: 1}), extra=lambda: webhook.accepted)
    assert len(webhook.accepted) == 1 and f"#{concern.pk}".encode() in webhook.accepted[0]
    assert b"SECRET" not in webhook.accepted[0], "the chat hears that a report needs attention, never what it says"


def test_a_worker_killed_while_emailing_a_match_proposal_loses_none_and_doubles_none(
    client, program, spare_redis, start_worker, smtp
):
    coordinator, mentee, mentor = program["coordinator"], program["waiting_mentee"], program["free_mentor"]
    smtp.hold_nth = 1
    first = start_worker()
    client.force_login(coordinator)
    response = client.post(reverse("matches:proposal_propose"),
                           {"mentee": mentee.pk, "mentor": mentor.pk, "reason": "Both in Harbor"})
    assert response.status_code == 302 and Proposal.objects.exists()
    kill_mid_delivery(first, smtp.held, smtp)

    recover(start_worker, smtp, Counter({mentee.email: 1, mentor.email: 1}))
    assert Notice.objects.filter(user__in=[mentee, mentor]).count() == 2



def test_with_the_mail_server_refusing_a_real_worker_keeps_every_email_and_sends_each_once_later(
    client, program, spare_redis, start_worker, smtp
):
    coordinator, mentee, mentor = program["coordinator"], program["waiting_mentee"], program["free_mentor"]
    smtp.refusing = True
    worker = start_worker()
    client.force_login(coordinator)
    response = client.post(reverse("matches:proposal_propose"),
                           {"mentee": mentee.pk, "mentor": mentor.pk, "reason": "Both in Harbor"}, follow=True)
    assert "Proposal sent to both" in response.content.decode()
    tried = Delivery.objects.filter(to__in=[mentee.email, mentor.email], attempts__gte=1, claim=None)
    assert wait_until(lambda: tried.exclude(last_error="").count() == 2, timeout=30), worker.log()
    assert smtp.refused >= 2 and not smtp.accepted
    assert not Delivery.objects.exclude(sent_at=None).exists(), "a refused email is never marked sent"
    assert Notice.objects.filter(user__in=[mentee, mentor]).count() == 2, "portal notices are there already"

    smtp.refusing = False  # the mail server is back; the task's own retry is 30 s away, beat's drain comes first
    age_outboxes()  # the minute's grace; no lease is held (each was released on the refusal)
    drains = [outbox_drain.delay() for _ in range(2)]
    assert wait_until(lambda: worker.finished(*drains) and all_delivered(), timeout=30), worker.log()
    assert recipients(smtp) == Counter({mentee.email: 1, mentor.email: 1})
