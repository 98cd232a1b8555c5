"""Reads for the MEA, coordinator and staff dashboards.

Every function here runs a fixed number of queries whatever the number of
matches: the per-match check-in state is denormalised in MatchSupport, and the
open-concern counts come from one grouped query in the escalations app.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matches.models import Match
from profiles.models import User

from .cadence import cadence, next_due
from .models import CheckIn, CheckInRequest, MatchSupport, Milestone

CELEBRATE_DAYS = 45


def open_concerns_by_match(match_ids: list[int], for_user) -> dict[int, int]:
    """Open concerns per match that `for_user` may know about (one grouped query in the escalations app)."""
    from escalations.selectors import open_concerns_by_match as from_router

    return from_router(match_ids, for_user) if match_ids else {}


@dataclass
class Row:
    match: Match
    support: MatchSupport
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    open_concerns: int = 0
    answers_waiting: int = 0

    @property
    def is_high(self) -> bool:
        return self.score >= 20


def _support_of(match: Match) -> MatchSupport:
    support = getattr(match, "support", None)  # missing until the first beat run or check-in
    if support is None:
        support = MatchSupport(match=match, next_due=next_due(timezone.localdate(match.started_at), 0, None))
    return support


def _assess(row: Row, today: date, *, for_coordinator: bool) -> None:
    c, s = cadence(), row.support
    if row.open_concerns:
        row.score += 100 * row.open_concerns
        row.reasons.append(ngettext("%(n)d open concern", "%(n)d open concerns", row.open_concerns) % {"n": row.open_concerns})
    if for_coordinator and row.match.mea_id is None:
        row.score += 50
        row.reasons.append(_("No MEA yet"))
    late = (today - s.next_due).days
    if late > 0:
        row.score += 40 + min(late, 60)
        row.reasons.append(ngettext("Check-in overdue by %(n)d day", "Check-in overdue by %(n)d days", late) % {"n": late})
    elif late >= -3:
        row.score += 5
        row.reasons.append(_("Check-in due soon"))
    if s.checkins_done == 0:
        row.score += 25
        row.reasons.append(_("New match, not checked in yet"))
    if s.last_rating is not None and s.last_rating <= c["low_rating"]:
        row.score += 30
        row.reasons.append(_("Low rating (%(r)d/5)") % {"r": s.last_rating})
    if s.last_rating is not None and s.prev_rating is not None and s.last_rating < s.prev_rating:
        row.score += 15
        row.reasons.append(_("Rating falling (%(a)d → %(b)d)") % {"a": s.prev_rating, "b": s.last_rating})
    if s.recent_cancellations >= c["repeated_cancellations"]:
        row.score += 20
        row.reasons.append(_("Meetings cancelled repeatedly (%(n)d lately)") % {"n": s.recent_cancellations})
    if row.answers_waiting:
        row.score += 10
        row.reasons.append(_("A self check-in answer to read"))


def dashboard_rows(matches: QuerySet, user, *, for_coordinator: bool = False, today: date | None = None) -> list[Row]:
    """Active matches, most in need first, each with the reasons it is high."""
    today = today or timezone.localdate()
    qs = matches.active().select_related("mentor__profile", "mentee__profile", "group", "mea__profile", "support")
    items = list(qs)
    ids = [m.pk for m in items]
    concerns = open_concerns_by_match(ids, user)
    waiting: dict[int, int] = {}
    if not for_coordinator:
        waiting = dict(
            CheckInRequest.objects.visible_to(user)
            .filter(match__in=qs.values("pk"), status=CheckInRequest.Status.ANSWERED, read_at=None, match__mea=user)
            .values("match_id").annotate(n=Count("pk")).values_list("match_id", "n")
        )
    rows = []
    for match in items:
        row = Row(match=match, support=_support_of(match), open_concerns=concerns.get(match.pk, 0),
                  answers_waiting=waiting.get(match.pk, 0))
        _assess(row, today, for_coordinator=for_coordinator)
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, r.support.next_due, r.match.pk))
    return rows


@dataclass
class Celebration:
    match: Match
    what: str
    on: date
    source: str


def celebrations(matches: QuerySet, user, *, include_checkins: bool, limit: int = 15) -> list[Celebration]:
    """What to celebrate lately: milestones, and (for the MEA only) what they heard in check-ins."""
    since = timezone.localdate() - timedelta(days=CELEBRATE_DAYS)
    ids = matches.active().values("pk")
    found = [
        Celebration(m.match, m.what, m.happened_on, _("milestone"))
        for m in Milestone.objects.visible_to(user).filter(match__in=ids, happened_on__gte=since)
        .select_related("match__mentor__profile", "match__mentee__profile")[:limit]
    ]
    if include_checkins:
        found += [
            Celebration(c.match, c.to_celebrate, c.held_on, _("check-in"))
            for c in CheckIn.objects.visible_to(user).filter(match__in=ids, held_on__gte=since).exclude(to_celebrate="")
            .select_related("match__mentor__profile", "match__mentee__profile")[:limit]
        ]
        found += [
            Celebration(r.match, r.to_celebrate, timezone.localdate(r.answered_at), _("self check-in"))
            for r in CheckInRequest.objects.visible_to(user)
            .filter(match__in=ids, match__mea=user, status=CheckInRequest.Status.ANSWERED, answered_at__date__gte=since)
            .exclude(to_celebrate="").select_related("match__mentor__profile", "match__mentee__profile")[:limit]
        ]
    found.sort(key=lambda c: c.on, reverse=True)
    return found[:limit]


@dataclass
class Compliance:
    mea: User
    checkins: int
    on_time: int
    active_matches: int
    overdue_now: int

    @property
    def share_on_time(self) -> int | None:
        return round(100 * self.on_time / self.checkins) if self.checkins else None


def compliance_by_mea(today: date | None = None) -> list[Compliance]:
    """Per MEA: share of check-ins held on or before their due date, and matches overdue now (3 queries)."""
    today = today or timezone.localdate()
    done = {
        r["mea_id"]: r
        for r in CheckIn.objects.values("mea_id").annotate(
            total=Count("pk"), on_time=Count("pk", filter=Q(held_on__lte=F("due_on")))
        )
    }
    load = {
        r["match__mea_id"]: r
        for r in MatchSupport.objects.filter(match__status=Match.Status.ACTIVE, match__mea__isnull=False)
        .values("match__mea_id").annotate(active=Count("pk"), overdue=Count("pk", filter=Q(next_due__lt=today)))
    }
    people = User.objects.filter(pk__in=set(done) | set(load)).select_related("profile")
    rows = [
        Compliance(
            mea=p, checkins=done.get(p.pk, {}).get("total", 0), on_time=done.get(p.pk, {}).get("on_time", 0),
            active_matches=load.get(p.pk, {}).get("active", 0), overdue_now=load.get(p.pk, {}).get("overdue", 0),
        )
        for p in people
    ]
    rows.sort(key=lambda r: (r.share_on_time if r.share_on_time is not None else 101, -r.overdue_now))
    return rows
