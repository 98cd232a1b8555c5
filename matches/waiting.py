"""Since when each mentee has waited for a mentor, stored (MenteeWaiting) so the
pairing board reads its page in that order along an index.

`waiting_since_refresh(user_ids)` stores the later of the mentee role's start
(the earliest open grant) and the last match's end. Called when those change:
a mentee role granted (profiles.signals.role_granted) and a match ended
(matches.services.match_end). Time passing does not change it. The nightly
beat task `matches.tasks.waiting_since_recompute` computes it again for every
mentee and logs how many had drifted (counts only).
"""

import logging

from django.db.models import DateTimeField, OuterRef, Subquery
from django.db.models.functions import Greatest

from profiles.models import Role, RoleGrant, User

from .models import Match, MenteeWaiting

log = logging.getLogger(__name__)

CHUNK = 2000


def _computed(user_ids) -> dict[int, object]:
    """{mentee id: since} for these people, as it should be (one query)."""
    last_end = Match.objects.filter(mentee=OuterRef("pk"), status=Match.Status.ENDED).order_by("-ended_at")
    grant_start = RoleGrant.objects.filter(user=OuterRef("pk"), role=Role.MENTEE, ended_at=None).order_by("started_at")
    rows = (
        User.objects.filter(pk__in=list(user_ids))
        # GREATEST skips NULLs: a mentee never matched waits since their grant.
        .annotate(since=Greatest(Subquery(last_end.values("ended_at")[:1]),
                                 Subquery(grant_start.values("started_at")[:1]), output_field=DateTimeField()))
        .exclude(since=None).values_list("pk", "since")
    )
    return dict(rows)


def _store(computed: dict, stored: dict) -> int:
    changed = [MenteeWaiting(mentee_id=pk, since=since) for pk, since in computed.items() if stored.get(pk) != since]
    MenteeWaiting.objects.bulk_create(changed, update_conflicts=True, unique_fields=["mentee"], update_fields=["since"])
    return len(changed)


def waiting_since_refresh(user_ids) -> int:
    """Store since when these mentees have waited; returns how many changed."""
    ids = sorted({int(pk) for pk in user_ids})
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        stored = dict(MenteeWaiting.objects.filter(mentee_id__in=chunk).values_list("mentee_id", "since"))
        changed += _store(_computed(chunk), stored)
    return changed


def waiting_since_recompute() -> dict[str, int]:
    """Every mentee's waiting-since computed again (the nightly task); counts the drift it repaired."""
    ids = list(RoleGrant.objects.filter(role=Role.MENTEE, ended_at=None).order_by("user_id")
               .values_list("user_id", flat=True).distinct())
    drifted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        stored = dict(MenteeWaiting.objects.filter(mentee_id__in=chunk).values_list("mentee_id", "since"))
        drifted += _store(_computed(chunk), stored)
    result = {"mentees": len(ids), "drift_repaired": drifted}
    log.log(logging.WARNING if drifted else logging.INFO,
            "waiting since: %(mentees)d mentees, %(drift_repaired)d had drifted (repaired)", result)
    return result
