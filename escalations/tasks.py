"""Background work for concerns. Tasks take ids only, never report content.

(Their notifications are delivered by the outbox: notifications.tasks.)
- check_concern_deadlines (beat, every minute): unacknowledged reports past their
  deadline move to staff, are sent again, then go to every staff member, again and
  again at a capped interval until someone acknowledges.
"""

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from .models import Concern
from .services import concern_follow_up

log = logging.getLogger(__name__)


@shared_task
def check_concern_deadlines(batch_size: int = 500) -> int:
    """Follow up every open report past its deadline, oldest due first, in batches.

    No fixed top-N: old reports that keep coming due can never crowd out a new one,
    because the run walks all of them (keyset pages on (deadline, id)); each one
    followed up moves its deadline on, so the next run finds it only when due again.
    """
    now = timezone.now()
    done, after = 0, None
    while True:
        due = Concern.objects.filter(status=Concern.Status.OPEN, ack_deadline__lte=now)
        if after is not None:
            due = due.filter(Q(ack_deadline__gt=after[0]) | Q(ack_deadline=after[0], pk__gt=after[1]))
        page = list(due.order_by("ack_deadline", "pk").values_list("ack_deadline", "pk")[:batch_size])
        for _deadline, concern_id in page:
            result = concern_follow_up(concern_id)
            log.info("concern %s past its deadline: %s", concern_id, result)
        done += len(page)
        if len(page) < batch_size:
            return done
        after = page[-1]
