"""Reads about concerns used in more than one place (the MEA dashboard, the staff home)."""

from django.db.models import Count

from .models import Concern


def open_concerns_by_match(match_ids, for_user) -> dict[int, int]:
    """Unresolved concerns per match that `for_user` may see, in one grouped query."""
    ids = list(match_ids)
    if not ids:
        return {}
    rows = (
        Concern.objects.visible_to(for_user)
        .unresolved()
        .filter(match_id__in=ids)
        .order_by()
        .values("match_id")
        .annotate(n=Count("id"))
    )
    return {row["match_id"]: row["n"] for row in rows}


def inbox_for(user):
    """Reports a handler works in the portal: routed to them as MEA and not yet with staff."""
    return (
        Concern.objects.visible_to(user)
        .filter(routed_to_mea=user)
        .select_related("match__mentor__profile", "match__mentee__profile", "reporter__profile")
        .order_by("status", "ack_deadline")
    )


def reported_by(user):
    return Concern.objects.visible_to(user).filter(reporter=user).select_related("debrief").order_by("-created_at")


def staff_queue_summary(user) -> dict:
    """Counts for the staff home: open, overdue and unresolved by tier (a few small queries)."""
    from django.utils import timezone

    qs = Concern.objects.visible_to(user).filter(escalated_to_staff=True).unresolved()
    by_tier = {row["tier"]: row["n"] for row in qs.order_by().values("tier").annotate(n=Count("id"))}
    return {
        "unresolved": sum(by_tier.values()),
        "by_tier": [(tier, by_tier.get(tier, 0)) for tier in (3, 2, 1)],
        "open": qs.filter(status=Concern.Status.OPEN).count(),
        "overdue": qs.filter(status=Concern.Status.OPEN, ack_deadline__lt=timezone.now()).count(),
    }
