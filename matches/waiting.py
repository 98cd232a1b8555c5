"""Who waits for a mentor in which group, and since when, stored (MenteeWaiting) so the
pairing board and the mentor home read their page of waiting mentees, and count them,
along the (group, since) index instead of every mentee of the program.

A row per (group, mentee) exists exactly while the mentee waits: an open mentee
role, no active match, a member of the group. `since` is the later of the mentee
role's start (the earliest open grant) and the last match's end.
`waiting_since_refresh(user_ids)` brings these people's rows in line. It is called
where those inputs change: a mentee role granted (profiles.signals.role_granted,
which also covers joining a group and moving to another), a match started or ended
(matches.services), someone taken out of a group or moved (support.members). Time
passing changes nothing. The nightly beat task `matches.tasks.waiting_since_recompute`
does it again for every mentee and everyone with a row, and logs how many rows had
drifted (counts only).
"""

import logging

from django.db.models import DateTimeField, Exists, OuterRef, Subquery
from django.db.models.functions import Greatest

from profiles.models import Membership, Role, RoleGrant

from .models import Match, MenteeWaiting

log = logging.getLogger(__name__)

CHUNK = 2000


def _computed(user_ids) -> dict[tuple[int, int], object]:
    """{(group id, mentee id): since} for these people, as it should be (one query)."""
    last_end = Match.objects.filter(mentee=OuterRef("user_id"), status=Match.Status.ENDED).order_by("-ended_at")
    grants = RoleGrant.objects.filter(user=OuterRef("user_id"), role=Role.MENTEE, ended_at=None).order_by("started_at")
    rows = (
        Membership.objects.filter(user_id__in=list(user_ids)).filter(Exists(grants))
        .exclude(Exists(Match.objects.active().filter(mentee=OuterRef("user_id"))))
        # GREATEST skips NULLs: a mentee never matched waits since their grant.
        .annotate(since=Greatest(Subquery(last_end.values("ended_at")[:1]),
                                 Subquery(grants.values("started_at")[:1]), output_field=DateTimeField()))
        .values_list("group_id", "user_id", "since")
    )
    return {(group_id, user_id): since for group_id, user_id, since in rows}


def _refresh(user_ids: list[int]) -> int:
    """Make these people's rows what they should be; returns how many rows were added, changed or removed."""
    stored = {(g, u): (pk, since) for pk, g, u, since in
              MenteeWaiting.objects.filter(mentee_id__in=user_ids).values_list("pk", "group_id", "mentee_id", "since")}
    computed = _computed(user_ids)
    gone = [pk for key, (pk, _since) in stored.items() if key not in computed]
    changed = [MenteeWaiting(group_id=g, mentee_id=u, since=since) for (g, u), since in computed.items()
               if stored.get((g, u), (None, None))[1] != since]
    MenteeWaiting.objects.filter(pk__in=gone).delete()
    MenteeWaiting.objects.bulk_create(changed, update_conflicts=True, unique_fields=["mentee", "group"],
                                      update_fields=["since"])
    return len(gone) + len(changed)


def waiting_since_refresh(user_ids) -> int:
    """Store where and since when these people wait; returns how many rows changed."""
    ids = sorted({int(pk) for pk in user_ids})
    return sum(_refresh(ids[start:start + CHUNK]) for start in range(0, len(ids), CHUNK))


def waiting_since_recompute() -> dict[str, int]:
    """Every mentee's rows computed again (the nightly task); counts the drift it repaired."""
    mentees = set(RoleGrant.objects.filter(role=Role.MENTEE, ended_at=None).values_list("user_id", flat=True))
    ids = sorted(mentees | set(MenteeWaiting.objects.values_list("mentee_id", flat=True)))
    drifted = waiting_since_refresh(ids)
    result = {"mentees": len(mentees), "drift_repaired": drifted}
    log.log(logging.WARNING if drifted else logging.INFO,
            "waiting since: %(mentees)d mentees, %(drift_repaired)d had drifted (repaired)", result)
    return result
