"""Meetings and calendar feeds in a member's export; what erasure does to them.

Export: every meeting of their matches (when, how long, how, where, status,
who proposed it), and their calendar feeds (when made and stopped; never the
secret, which is not stored).

Erasure: their calendar feeds are deleted; open meetings of their matches are
cancelled quietly (no invite goes out to an erased person); the "where" of
meetings they proposed (a phone number, an address, a video link) is blanked,
and the text of goals they wrote becomes "[erased]" (their progress stays).
Goals of their matches are exported in full: the pair wrote them together.
The dates and statuses stay: they are the match's history.
"""

from django.db.models import Q
from django.utils import timezone

from .models import CalendarFeed, Goal, Meeting

COVERS = (
    "meetings.Meeting.proposed_by", "meetings.Meeting.closed_by", "meetings.CalendarFeed.user", "meetings.Goal.written_by",
)
EXEMPT: dict[str, str] = {}


# Free text erasure scrubs of the member's identifiers in every row, and the rest with why
# (privacy/registry.py).
SCRUBBED_TEXT = ("meetings.Meeting.where", "meetings.Goal.text", "meetings.Goal.celebration")
TEXT_KEPT = {
    "meetings.Meeting.time_zone": "A time zone name.",
    "meetings.CalendarFeed.token_hash": "A hash of a random token.",
}

def _theirs(user) -> Q:
    return Q(match__mentor=user) | Q(match__mentee=user) | Q(proposed_by=user) | Q(closed_by=user)


def export(user) -> dict:
    return {
        "meetings": [
            {"match_id": m.match_id, "starts_at": m.starts_at, "minutes": m.minutes, "how": m.how, "where": m.where,
             "status": m.status, "proposed_by_me": m.proposed_by_id == user.pk}
            for m in Meeting.objects.filter(_theirs(user)).order_by("starts_at", "pk")
        ],
        "goals": [
            {"match_id": g.match_id, "text": g.text, "progress": g.progress, "status": g.status,
             "celebration": g.celebration, "written_by_me": g.written_by_id == user.pk, "created_at": g.created_at}
            for g in Goal.objects.filter(Q(match__mentor=user) | Q(match__mentee=user) | Q(written_by=user))
            .order_by("created_at", "pk")
        ],
        "calendar_feeds": list(CalendarFeed.objects.filter(user=user).order_by("created_at").values(
            "created_at", "revoked_at")),
    }


def erase(user) -> None:
    CalendarFeed.objects.filter(user=user).delete()
    Meeting.objects.filter(_theirs(user), status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED]).update(
        status=Meeting.Status.CANCELLED, closed_at=timezone.now())
    Meeting.objects.filter(proposed_by=user).exclude(where="").update(where="")
    # Their own words go; the goal (and whether it was reached) stays the pair's history.
    Goal.objects.filter(written_by=user).update(text="[erased]", celebration="")
