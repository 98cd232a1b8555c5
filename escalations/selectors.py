"""Reads about concerns used in more than one place (the MEA dashboard, the staff home)."""

from django.db.models import Count, Q
from django.utils import timezone

from .models import Concern


def inbox_for(user):
    """Reports routed to an MEA: open ones first, by tier (most urgent first), then by deadline; resolved last."""
    return (
        Concern.objects.visible_to(user)
        .filter(routed_to_mea=user)
        .select_related("match__mentor__profile", "match__mentee__profile", "reporter__profile")
        .by_urgency()
    )


def open_inbox_count(user) -> int:
    """Reports waiting for the MEA to acknowledge (the count in the navigation); 0 for anyone else."""
    if not getattr(user, "is_authenticated", False) or "mea" not in user.roles:
        return 0
    return Concern.objects.visible_to(user).filter(routed_to_mea=user, status=Concern.Status.OPEN).count()


def reported_by(user):
    return Concern.objects.visible_to(user).filter(reporter=user).select_related("debrief").order_by("-created_at")


def staff_queue_summary(user) -> dict:
    """Counts for the staff home, in one grouped query: unresolved by tier, open, overdue."""
    open_ = Q(status=Concern.Status.OPEN)
    rows = (
        Concern.objects.visible_to(user).filter(escalated_to_staff=True).unresolved()
        .order_by().values("tier")
        .annotate(n=Count("id"), open=Count("id", filter=open_),
                  overdue=Count("id", filter=open_ & Q(ack_deadline__lt=timezone.now())))
    )
    by_tier = {row["tier"]: row for row in rows}
    return {
        "unresolved": sum(r["n"] for r in by_tier.values()),
        "by_tier": [(tier, by_tier[tier]["n"] if tier in by_tier else 0) for tier in (3, 2, 1)],
        "open": sum(r["open"] for r in by_tier.values()),
        "overdue": sum(r["overdue"] for r in by_tier.values()),
    }
