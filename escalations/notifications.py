"""Telling people a report needs attention, through the one outbox (notifications).

A notice says that a report needs attention and links to it. It never carries
what was reported: the text, the situations and who it is about stay in the
database, behind the login and `visible_to`.

Each step of a report (raised, escalated, resend-N, all-staff, assigned-N)
writes, in the report's transaction, one outbox row per recipient and channel
with the dedupe key (concern, step, channel, recipient): a step planned twice
(a retried beat run, two workers) is still one row, one delivery record and
one retry policy (notifications.delivery: retried with backoff until
accepted; when email keeps failing, every staff member gets a portal notice
and the staff webhook is posted). Portal notices are delivered when written.
Once the report is acknowledged or resolved, what is still waiting no longer
matters: `notifications_settle` expires it.
"""

from django.conf import settings
from django.urls import reverse

from notifications.delivery import staff_members
from notifications.services import deliveries_expire, email_queue, notice_create, webhook_queue
from profiles.models import User
from profiles.program import program_settings

from .models import Concern


def topic(concern_id: int) -> str:
    return f"concern:{concern_id}"


def _staff_targets(concern: Concern) -> list[tuple[str, User | None]]:
    """The staff inbox: the assigned staff member, else the program's staff address, else every staff member."""
    if concern.assigned_to_id:
        return [(concern.assigned_to.email, concern.assigned_to)]
    staff_email = program_settings().staff_email
    if staff_email:
        return [(staff_email, None)]
    return [(u.email, u) for u in staff_members()]


def plan_notifications(
    concern: Concern, step: str, *, mea: bool, staff: bool, all_staff: bool = False, users: list[User] | None = None
) -> list[int]:
    """Write the outbox rows and notices for one step (in the caller's transaction); delivered after commit.

    Returns the ids of the outbox rows this call created (none for a step planned before).
    """
    targets: list[tuple[str, User | None]] = []
    if mea and concern.routed_to_mea_id and concern.routed_to_mea_id != concern.reporter_id:
        targets.append((concern.routed_to_mea.email, concern.routed_to_mea))
    if staff:
        targets += _staff_targets(concern)
    if all_staff:
        targets += [(u.email, u) for u in staff_members()]
    targets += [(u.email, u) for u in users or []]
    staff_path = reverse("admin:escalations_concern_change", args=[concern.pk])
    created = []
    for address, user in dict.fromkeys(targets):
        path = concern_path(concern, user.pk if user else None)
        recipient = f"user-{user.pk}" if user else address
        row = email_queue(
            to=address, user=user, template="concern_attention",
            context={"concern_id": concern.pk, "tier": concern.tier, "link": settings.SITE_URL + path, "step": step,
                     "subject": concern_subject(concern), "urgency": concern.urgency},
            dedupe_key=f"{topic(concern.pk)}:{step}:email:{recipient}", topic=topic(concern.pk),
            failover=True, failover_url=staff_path,
        )
        if row is not None:
            created.append(row.pk)
        if user is not None:
            notice_create(user, concern_subject(concern), path,
                          dedupe_key=f"{topic(concern.pk)}:{step}:notice:{recipient}")
    if staff or all_staff:
        row = webhook_queue(
            f"{concern_subject(concern)}: {settings.SITE_URL}{staff_path}",
            dedupe_key=f"{topic(concern.pk)}:{step}:webhook:staff", topic=topic(concern.pk),
        )
        if row is not None:
            created.append(row.pk)
    return created


def concern_path(concern: Concern, user_id: int | None) -> str:
    """Where the reader can open the report: the MEA it was routed to, their inbox page
    (they cannot open the admin); anyone else (staff, the staff address), the admin page."""
    if user_id and user_id == concern.routed_to_mea_id and concern.about != "mea":
        return reverse("escalations:inbox_detail", args=[concern.pk])
    return reverse("admin:escalations_concern_change", args=[concern.pk])


def concern_subject(concern: Concern) -> str:
    """The urgency in words, never what was reported."""
    if concern.tier >= 3:
        return f"Urgent: a report needs attention now (#{concern.pk})"
    if concern.tier == 2:
        return f"A report needs staff today (#{concern.pk})"
    return f"A report needs your attention (#{concern.pk})"


def notifications_settle(concern: Concern) -> int:
    """The report was acknowledged or resolved: what is still waiting to tell people no longer matters."""
    return deliveries_expire(topic(concern.pk))
