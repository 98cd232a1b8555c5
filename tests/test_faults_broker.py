"""Redis stopped for real (a redis-server of the test's own, killed): what people
submit is saved, they are told that notifications are delayed, and once Redis is
back a real worker running the beat's drains delivers each notification once.

The beat's drains are sent by name (what beat sends every minute) rather than by
waiting for the minute; the few minutes of grace the drains leave are moved on
by updating the rows' timestamps (tests/conftest.py age_outboxes).
"""

from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import wait_until
from escalations.models import Concern
from matches.models import Match, Proposal
from notifications.models import Delivery, Notice
from notifications.tasks import outbox_drain
from support.models import CheckIn
from tests.conftest import age_outboxes

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

REPORT_DELAYED = "could not be alerted just now"
EMAIL_DELAYED = "emails about this will go out automatically within a few minutes"
# A stopped broker must not hang a request: after the first refused enqueue, the rest of the
# request's work is left for the drains at once (notifications.outage.broker_refused_already), so a
# request makes one refused enqueue: kombu's one retry, each a redis-py connect and its own retry.
MOST_BROKER_CONNECTS = 4


def post(client, user, url, data, calls):
    client.force_login(user)
    before = len(calls)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200, response.status_code
    assert len(calls) - before <= MOST_BROKER_CONNECTS, f"{url}: {len(calls) - before} attempts to reach Redis"
    return response.content.decode()


def recover(spare_redis, start_worker, smtp, expected: Counter):
    """Redis comes back (empty), a worker starts, beat's drains run (twice, as
    when a run overlaps); every expected email arrives exactly once."""
    spare_redis.start()
    worker = start_worker()
    age_outboxes()
    drains = []
    for _ in range(2):
        drains.append(outbox_drain.delay())
    # Every drain run has ended (a doubled message would have been sent by one of them).
    done = wait_until(
        lambda: worker.finished(*drains)
        and not Delivery.objects.filter(status="pending").exists(),
        timeout=40,
    )
    assert done, f"not delivered: {smtp.accepted}\n{worker.log()}"
    assert Counter(r for r, _s in smtp.accepted) == expected, smtp.accepted


def test_a_report_filed_while_redis_is_stopped_is_saved_and_delivered_once_when_it_is_back(
    client, program, spare_redis, start_worker, smtp, broker_calls
):
    match, staff = program["match"], program["staff"]
    spare_redis.stop()
    body = post(client, match.mentor, reverse("escalations:report"),
                {"match": match.pk, "situations": ["victim_of_abuse"], "about": "mentee", "details": "d"}, broker_calls)
    assert REPORT_DELAYED in body and "Emergency guidance" in body
    assert 'role="status"' in body, "the notice is announced to screen readers"
    concern = Concern.objects.get()
    assert concern.reporter == match.mentor and concern.details == "d"
    assert Delivery.objects.filter(topic=f"concern:{concern.pk}", status="pending").count() == 2
    assert not smtp.accepted

    recover(spare_redis, start_worker, smtp, Counter({match.mea.email: 1, staff.email: 1}))
    assert Notice.objects.filter(user__in=[match.mea, staff], title__contains="report").count() == 2


def test_a_check_in_naming_a_worry_while_redis_is_stopped_says_the_staff_alert_is_delayed(
    client, program, spare_redis, start_worker, smtp, broker_calls
):
    match, mea, staff = program["match"], program["mea"], program["staff"]
    spare_redis.stop()
    url = reverse("support:checkin_create", args=[match.pk])
    form = {"with_whom": "both", "held_on": timezone.localdate().isoformat(), "rating": "3", "meetings_held": "1",
            "meetings_cancelled": "0", "to_celebrate": "", "worrying": "w", "private_note": ""}
    body = post(client, mea, url, form, broker_calls)
    assert "Check-in saved" in body and REPORT_DELAYED not in body and EMAIL_DELAYED not in body, \
        "nothing was queued, so no delay is announced"

    body = post(client, mea, url, {**form, "situations": ["confessed_crime"]}, broker_calls)
    assert "Check-in saved" in body and REPORT_DELAYED in body
    assert CheckIn.objects.filter(match=match).count() == 2
    assert Concern.objects.get().source == "checkin"

    recover(spare_redis, start_worker, smtp, Counter({staff.email: 1}))


def test_a_proposal_and_its_answer_made_while_redis_is_stopped_are_saved_and_each_email_goes_once(
    client, program, spare_redis, start_worker, smtp, broker_calls
):
    coordinator, mentee, mentor = program["coordinator"], program["waiting_mentee"], program["free_mentor"]
    spare_redis.stop()
    body = post(client, coordinator, reverse("matches:proposal_propose"),
                {"mentee": mentee.pk, "mentor": mentor.pk, "reason": "Both in Harbor"}, broker_calls)
    assert "Proposal sent to both" in body and EMAIL_DELAYED in body
    proposal = Proposal.objects.get()
    assert Delivery.objects.filter(sent_at=None, to__in=[mentee.email, mentor.email]).count() == 2
    assert Notice.objects.filter(user__in=[mentee, mentor]).count() == 2, "portal notices are there at once"

    accept = reverse("matches:proposal_accept", args=[proposal.pk])
    body = post(client, mentor, accept, {"confirm_not_close": "on"}, broker_calls)
    assert "The match starts when the other person says yes too" in body and EMAIL_DELAYED in body
    body = post(client, mentee, accept, {"confirm_not_close": "on"}, broker_calls)
    assert "your match has started" in body and EMAIL_DELAYED in body
    assert Match.objects.filter(mentor=mentor, mentee=mentee, status=Match.Status.ACTIVE).exists()

    # Asked (both), "your possible match said yes" (the mentee), "your match has started" (both).
    recover(spare_redis, start_worker, smtp, Counter({mentee.email: 3, mentor.email: 2}))
    assert len(set(smtp.accepted)) == 5, "five different emails, none doubled"


def test_a_request_that_queues_nothing_says_nothing_about_delays(client, program, spare_redis, broker_calls):
    spare_redis.stop()
    body = post(client, program["mentor"], reverse("profiles:edit"), {}, broker_calls)
    assert REPORT_DELAYED not in body and EMAIL_DELAYED not in body


def test_healthz_reports_the_stopped_broker_and_recovers(client, program, spare_redis, broker_calls):
    spare_redis.stop()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"
    assert 1 <= len(broker_calls) <= MOST_BROKER_CONNECTS, "asked the broker, and gave up after a bounded retry"
    spare_redis.start()
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


def test_the_dead_broker_fixture_really_refuses_to_publish(dead_broker):
    """Other tests lean on `dead_broker`: it must stop publishing even when
    CELERY_BROKER_URL is set in the environment (it once did not)."""
    from notifications.tasks import deliver_batch

    with pytest.raises(Exception):  # noqa: B017, PT011 - kombu's OperationalError or redis' ConnectionError
        deliver_batch.delay([1])
