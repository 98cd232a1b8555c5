"""Reads about matches used in more than one place."""

from django.conf import settings
from django.db.models import Count, Q

from profiles.models import Role, User

from .models import Match


def suggest_mea(group_id: int) -> User | None:
    """The MEA of the group with the fewest active matches and room in their caseload."""
    return (
        User.objects.filter(role_grants__role=Role.MEA, role_grants__group_id=group_id, role_grants__ended_at=None)
        .annotate(caseload=Count("mea_matches", filter=Q(mea_matches__status=Match.Status.ACTIVE), distinct=True))
        .filter(caseload__lt=settings.MEA_CASELOAD_LIMIT)
        .order_by("caseload", "pk")
        .first()
    )
