"""Demo meetings on the demo matches (made by matches/demo.py), found by their
mentee's email: a proposal waiting for an answer, a planned (accepted) meeting,
meetings held, and two cancellations on one match (the seed's "they cancel
repeatedly", which the MEA dashboard now reads from these records); and
goals in the pair's words, one reached (under "To celebrate" for the MEA).
Idempotent: a match that has meetings already is left alone."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from matches.models import Match

from .models import Goal, Meeting

S = Meeting.Status
# mentee email -> [(days from today, local hour, minutes, how, status, proposed by "mentor"/"mentee")]
MEETINGS = {
    "mentee@example.org": [(-20, 18, 60, "video", S.HELD, "mentor"), (3, 18, 45, "video", S.PROPOSED, "mentor")],
    "mentee.chris@example.org": [(-30, 19, 60, "phone", S.HELD, "mentee"), (-12, 19, 60, "phone", S.CANCELLED, "mentor"),
                                 (-5, 19, 60, "phone", S.CANCELLED, "mentor")],
    "mentee.dana@example.org": [(-14, 12, 60, "in_person", S.HELD, "mentee"), (-7, 12, 60, "in_person", S.HELD, "mentor"),
                                (4, 12, 60, "in_person", S.ACCEPTED, "mentee")],
    "mentee.eli@example.org": [(6, 17, 30, "chat", S.PROPOSED, "mentee")],
}


# mentee email -> (the goal in the pair's words, progress, written by, a word to celebrate)
GOALS = {
    "mentee@example.org": [("Get back to the Tuesday circle every week", 50, "mentee", ""),
                           ("Say no to extra shifts without apologising", 25, "mentee", "")],
    "mentee.dana@example.org": [("Share my story in the circle", 100, "mentee", "Dani shared it, and people listened."),
                                ("Sleep before midnight on weeknights", 75, "mentor", "")],
}


def _seed_goals(matches: dict, now) -> int:
    made = 0
    for email, goals in GOALS.items():
        match = matches.get(email)
        if match is None or Goal.objects.filter(match=match).exists():
            continue
        for text, progress, side, celebration in goals:
            reached = progress == 100
            Goal.objects.create(match=match, written_by=match.mentor if side == "mentor" else match.mentee, text=text,
                                progress=progress, status=Goal.Status.REACHED if reached else Goal.Status.WORKING,
                                celebration=celebration, reached_at=now - timedelta(days=1) if reached else None)
            made += 1
    return made


def seed(ctx) -> None:
    matches = {
        m.mentee.email: m for m in Match.objects.active().filter(mentee__email__in=list(MEETINGS))
        .select_related("mentor__profile", "mentee__profile")
    }
    if not matches:
        ctx.log("meetings: no demo matches yet (matches/demo.py); meetings skipped")
        return
    now, made = timezone.now(), 0
    for email, match in matches.items():
        if Meeting.objects.filter(match=match).exists():
            continue
        for days, hour, minutes, how, status, side in MEETINGS[email]:
            by = match.mentor if side == "mentor" else match.mentee
            zone = by.profile.zone
            starts = datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), tzinfo=zone)
            closed = status in (S.HELD, S.CANCELLED)
            Meeting.objects.create(
                match=match, proposed_by=by, starts_at=starts, time_zone=zone.key, minutes=minutes, how=how,
                status=status, invited=status != S.PROPOSED, accepted_at=now if status != S.PROPOSED else None,
                closed_at=min(starts, now) if closed else None, closed_by=match.mentor if closed else None,
                sequence=1 if status == S.CANCELLED else 0,
            )
            made += 1
    goals = _seed_goals(matches, now)
    ctx.log(f"meetings: {made} demo meetings (one proposal waiting, one planned, two cancelled on one match), "
            f"{goals} goals (one reached)")
