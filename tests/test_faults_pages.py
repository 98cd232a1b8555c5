"""With Redis unreachable (the broker URL points at a port nothing listens on),
every page that does not need the broker still works:

- every page tests/authz_table.py opens (200) for a principal, in the matrix's
  world of real rows, opens for that principal again, without one attempt to
  reach the broker (counted: so it cannot be waiting for it);
- submits that queue email say what will happen (the submits that matter most,
  reports, check-ins and proposal answers, are in tests/test_faults_broker.py).
"""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Delivery
from tests.authz_table import PRINCIPALS
from tests.faults import free_port, point_celery_at
from tests.test_authz_matrix import (
    ALL_URLS,
    _path,
    row_for,
    world,  # noqa: F401 - the matrix's world: one of everything, real rows
)

pytestmark = pytest.mark.django_db

EMAIL_DELAYED = "emails about this will go out automatically within a few minutes"


@pytest.fixture
def redis_unreachable():
    """Nothing listens on the broker's port: as with Redis stopped."""
    undo = point_celery_at(f"redis://127.0.0.1:{free_port()}/0")
    try:
        yield
    finally:
        undo()


def test_every_page_each_role_may_open_still_opens_with_redis_unreachable(world, redis_unreachable,  # noqa: F811
                                                                          broker_calls):
    """Every GET the authorization table answers 200 for a principal, asked again by
    that principal with the broker down: still 200, and without calling the broker."""
    people, objects = world
    clients = {principal: Client() for principal in PRINCIPALS}
    for principal, client in clients.items():
        if principal != "anonymous":
            client.force_login(people[principal])
    opened, broken, called = 0, [], []
    for route, name, kwarg_names in ALL_URLS:
        rows = row_for(route, name)
        for row in rows if isinstance(rows, list) else [rows]:
            if row["method"] != "get" or name == "healthz":  # healthz is about the broker: tested apart
                continue
            path = _path(route, name, kwarg_names, row, objects)
            for principal in PRINCIPALS:
                if row["expect"][principal] != 200:  # a set ("any of these") is not a page that opens
                    continue
                before = len(broker_calls)
                response = clients[principal].get(path)
                opened += 1
                if response.status_code != 200:
                    broken.append(f"{path} as {principal}: {response.status_code}")
                if len(broker_calls) > before:
                    called.append(f"{path} as {principal}: {len(broker_calls) - before} attempts")
    assert not broken, "\n".join(broken)
    assert not called, "a page tried to reach the broker:\n" + "\n".join(called)
    assert opened >= 100, opened


@pytest.mark.postgres
def test_signing_up_with_redis_unreachable_says_the_confirmation_email_is_delayed(transactional_db, redis_unreachable,
                                                                                  broker_calls):
    client = Client()
    response = client.post(reverse("account_signup"), {"email": "new@example.org", "password1": "a-long-passphrase-42",
                                                       "password2": "a-long-passphrase-42"}, follow=True)
    assert response.status_code == 200
    # One enqueue, given up after kombu's one retry (each attempt a redis-py connect and its own retry).
    assert 1 <= len(broker_calls) <= 4, broker_calls
    assert EMAIL_DELAYED in response.content.decode()
    assert Delivery.objects.filter(to="new@example.org", sent_at=None).count() == 1


@pytest.mark.postgres
def test_a_request_queueing_many_emails_with_redis_unreachable_tries_the_broker_once(
    transactional_db, redis_unreachable, monkeypatch
):
    """Each refused attempt costs a connection retry; one is enough to know."""
    from django.db import transaction
    from django.test import RequestFactory

    from notifications import tasks
    from notifications.outage import BrokerOutageNoticeMiddleware
    from notifications.services import email_queue

    attempts = []
    real_send = tasks.deliver_batch.apply_async

    def counted(*args, **kwargs):
        attempts.append(args)
        return real_send(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", counted)

    def view(request):
        with transaction.atomic():
            for i in range(30):
                email_queue(to=f"person{i}@example.org", subject="Proposal", body_text="x")
        return None

    BrokerOutageNoticeMiddleware(view)(RequestFactory().post("/"))
    assert len(attempts) == 1
    assert Delivery.objects.filter(sent_at=None).count() == 30, "every one is kept for the drain"
