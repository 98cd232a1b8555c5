"""Outbox tasks. They take ids only, never addresses or message text.

- deliver_batch: the rows just queued, after commit (up to PER_TASK emails a task, over a few SMTP connections).
- outbox_drain (beat, every minute): every due row, in batches by next_attempt_at —
  whatever the immediate task missed (broker down, server refusing, worker killed).
"""

import logging

from celery import shared_task

from . import delivery

log = logging.getLogger(__name__)

PER_TASK = 100  # emails per delivery task (sent over up to delivery.CONNECTIONS SMTP connections)
BATCH = 200  # rows the drain claims at a time


@shared_task
def deliver_batch(ids: list[int]) -> int:
    """Deliver these rows now (at least once; see notifications.delivery). A failure waits for the drain."""
    sent, _failed = delivery.deliver_many(ids)
    return sent


@shared_task
def outbox_drain(batch: int = BATCH) -> dict[str, int]:
    """Deliver every due row, oldest due first, a batch at a time, until none is due.

    No attempts cap: a row is retried (with backoff) until it is accepted or
    expires. The loop ends because every row tried is either sent or pushed
    back past now by its backoff.
    """
    counts = {"expired": delivery.expire_due(), "sent": 0, "failed": 0}
    while ids := delivery.due_ids(batch):
        sent, failed = delivery.deliver_many(ids)
        counts["sent"] += sent
        counts["failed"] += failed
        if not sent and not failed:
            break  # everything due is leased by other workers
    return counts
