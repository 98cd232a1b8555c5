"""How much a match needs its MEA's attention: one score, stored on the match.

The MEA dashboard and the coordinator's dashboard list active matches "most in
need first" (DESIGN: overdue check-ins, low ratings, repeated cancelled
meetings, open concerns). `assess` is the one ranking: it gives the points and
the reasons. The points are stored in `Match.need_score` (indexed with the MEA
and with the group), so a dashboard reads only its page of rows in that order.

Kept up to date by the services that change its inputs: a check-in recorded, a
self check-in answered or read, an MEA assigned (support.services), a pulse
answered (support.surveys), a match
started or ended, a meeting cancelled (matches.signals.match_changed) and a
report opened, moved or resolved (escalations.signals.concern_changed) call
`need_score_refresh`.

Time passing changes it too (a check-in becomes due, then overdue, by one more
point a day up to 60; a cancelled meeting leaves the window): the plain way to follow that is the nightly beat task
`support.tasks.need_scores_recompute`, run just after midnight, which scores
every active match for the new day. Scores are whole days, so the stored order
is the true order all day. That task also repairs drift: before rescoring, it
scores each match as of the day before and counts those that differ from what
is stored (a change some service did not report), and logs that count.

Open concerns count only those the match's MEA may know of (as
`Concern.visible_to` for that MEA: reported by them, or routed to them and not
about them). Coordinators see the same order; the reasons shown to each viewer
count only what that viewer may see.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from escalations.models import Concern
from matches.models import Match
from meetings.models import Meeting

from .cadence import cadence, next_due
from .models import CheckInRequest, MatchSupport

log = logging.getLogger(__name__)

CHUNK = 2000


@dataclass
class Need:
    score: int
    reasons: list[str]


def fresh_support(match: Match) -> MatchSupport:
    """The support row a match gets before its first check-in (unsaved)."""
    return MatchSupport(match=match, next_due=next_due(timezone.localdate(match.started_at), 0, None))


def support_or_fresh(match: Match) -> MatchSupport:
    """The match's support row; before the first beat run or check-in, the one it will get."""
    return getattr(match, "support", None) or fresh_support(match)


def assess(match: Match, support: MatchSupport, *, open_concerns: int, answers_waiting: int, cancelled_lately: int,
           today: date, c: dict | None = None) -> Need:
    """The points and the reasons: the one ranking of the dashboards. `c`: the cadence, when the caller
    assesses many matches and read it once (it is built from the program settings on each read)."""
    c, score, reasons = c or cadence(), 0, []
    if open_concerns:
        score += 100 * open_concerns
        reasons.append(ngettext("%(n)d open concern", "%(n)d open concerns", open_concerns) % {"n": open_concerns})
    if match.mea_id is None:
        score += 50
        reasons.append(_("No MEA yet"))
    late = (today - support.next_due).days
    if late > 0:
        score += 40 + min(late, 60)
        reasons.append(ngettext("Check-in overdue by %(n)d day", "Check-in overdue by %(n)d days", late) % {"n": late})
    elif late >= -3:
        score += 5
        reasons.append(_("Check-in due soon"))
    if support.checkins_done == 0:
        score += 25
        reasons.append(_("New match, not checked in yet"))
    if support.last_rating is not None and support.last_rating <= c["low_rating"]:
        score += 30
        reasons.append(_("Low rating (%(r)d/5)") % {"r": support.last_rating})
    if support.last_rating is not None and support.prev_rating is not None and support.last_rating < support.prev_rating:
        score += 15
        reasons.append(_("Rating falling (%(a)d → %(b)d)") % {"a": support.prev_rating, "b": support.last_rating})
    # The members' own voice (support.surveys): a low or falling pulse, like a low or falling check-in rating.
    if support.pulse_last is not None and support.pulse_last <= c["low_rating"]:
        score += 30
        reasons.append(_("Low pulse from the pair (%(r)d/5)") % {"r": support.pulse_last})
    if support.pulse_last is not None and support.pulse_prev is not None and support.pulse_last < support.pulse_prev:
        score += 15
        reasons.append(_("Pulse falling (%(a)d → %(b)d)") % {"a": support.pulse_prev, "b": support.pulse_last})
    if cancelled_lately >= c["repeated_cancellations"]:
        score += 20
        reasons.append(_("Meetings cancelled repeatedly (%(n)d lately)") % {"n": cancelled_lately})
    if answers_waiting:
        score += 10
        reasons.append(_("A self check-in answer to read"))
    return Need(score, reasons)


def mea_concerns_by_match(match_ids) -> dict[int, int]:
    """Unresolved concerns per match that the match's own MEA may know of (one grouped query)."""
    mea_may_know = Q(reporter=F("match__mea")) | (Q(routed_to_mea=F("match__mea")) & ~Q(about="mea"))
    return dict(Concern.objects.unresolved().filter(match_id__in=list(match_ids)).filter(mea_may_know)
                .order_by().values_list("match_id").annotate(n=Count("pk")))


def answers_waiting_by_match(match_ids) -> dict[int, int]:
    """Answered self check-ins the MEA has not read yet, per match (one grouped query)."""
    return dict(CheckInRequest.objects.filter(match_id__in=list(match_ids), status=CheckInRequest.Status.ANSWERED,
                                              read_at=None)
                .order_by().values_list("match_id").annotate(n=Count("pk")))


def cancelled_by_match(match_ids, today: date) -> dict[int, int]:
    """Meetings cancelled within the cancellations window, per match, from the pair's meeting records."""
    since = today - timedelta(days=cadence()["cancellations_window_days"])
    return dict(Meeting.objects.filter(match_id__in=list(match_ids), status=Meeting.Status.CANCELLED,
                                       closed_at__date__gte=since)
                .order_by().values_list("match_id").annotate(n=Count("pk")))


def _scores(matches: list[Match], today: date) -> dict[int, int]:
    ids = [m.pk for m in matches]
    concerns, answers = mea_concerns_by_match(ids), answers_waiting_by_match(ids)
    cancelled = cancelled_by_match(ids, today)
    c = cadence()
    return {
        m.pk: assess(m, support_or_fresh(m), open_concerns=concerns.get(m.pk, 0), answers_waiting=answers.get(m.pk, 0),
                     cancelled_lately=cancelled.get(m.pk, 0), today=today, c=c).score
        for m in matches
    }


def _save(matches: list[Match], scores: dict[int, int]) -> int:
    changed = [m for m in matches if m.need_score != scores[m.pk]]
    for m in changed:
        m.need_score = scores[m.pk]
    # The base manager: a stored ranking is not a change to the match for its history.
    Match._base_manager.bulk_update(changed, ["need_score"], batch_size=CHUNK)
    return len(changed)


def _active(match_ids) -> list[Match]:
    return list(Match._base_manager.filter(pk__in=list(match_ids), status=Match.Status.ACTIVE)
                .select_related("support"))


def need_score_refresh(match_ids, today: date | None = None) -> int:
    """Score these matches again (the active ones) and store what changed. Returns how many changed.

    Call it after changing anything `assess` reads, for the matches it touched."""
    today = today or timezone.localdate()
    ids = sorted({int(pk) for pk in match_ids})
    changed = 0
    for start in range(0, len(ids), CHUNK):
        matches = _active(ids[start:start + CHUNK])
        changed += _save(matches, _scores(matches, today))
    return changed


def need_scores_recompute(today: date | None = None) -> dict[str, int]:
    """Every active match scored for `today` (the nightly task); counts the drift it repaired."""
    today = today or timezone.localdate()
    ids = list(Match._base_manager.filter(status=Match.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    drifted = rescored = 0
    for start in range(0, len(ids), CHUNK):
        matches = _active(ids[start:start + CHUNK])
        yesterday = _scores(matches, today - timedelta(days=1))
        drifted += sum(m.need_score != yesterday[m.pk] for m in matches)
        rescored += _save(matches, _scores(matches, today))
    result = {"matches": len(ids), "drift_repaired": drifted, "rescored": rescored}
    log.log(logging.WARNING if drifted else logging.INFO,
            "need scores: %(matches)d active matches, %(drift_repaired)d had drifted (repaired), "
            "%(rescored)d changed for the new day", result)
    return result
