"""A double submit (a double click, a form sent again, two tabs) saves one row, not two.

Services that create a row with no natural "one at a time" rule (a report, a
check-in, a chat message...) call `resubmitted()` inside their transaction just
before creating it:

    with transaction.atomic():
        earlier = resubmitted(f"milestone:{by.pk}", Milestone.objects.filter(match=match, recorded_by=by, what=what))
        if earlier:
            return earlier
        ...create...

It serialises one person's writes of that kind (a Postgres advisory lock held
to the end of the transaction, so two requests at once cannot both miss each
other) and returns the identical row they made within RESUBMIT_WINDOW, which
the service returns instead of making another. The same words sent again
after the window are a new row.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

RESUBMIT_WINDOW = timedelta(minutes=2)


def resubmitted(key: str, identical, *, since_field: str = "created_at"):
    """The row of `identical` (a queryset of rows equal to the one about to be made) made within the window, or None.

    Call inside a transaction: the lock on `key` lasts until it ends.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("resubmitted() must run inside the transaction that creates the row")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    return identical.filter(**{f"{since_field}__gte": timezone.now() - RESUBMIT_WINDOW}).order_by("-pk").first()
