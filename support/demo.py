"""Demo check-ins on the demo matches (made by matches/demo.py), so the MEA
dashboard has something in every state: overdue with a falling rating, repeated
cancellations, due today, new and not yet checked in, something to celebrate, a
milestone, and a self check-in waiting for the mentor. Matches are found by
their mentee's email; a missing one is skipped. Idempotent: a match that has
check-ins already is left alone."""

from datetime import timedelta

from django.utils import timezone

from matches.models import Match

from . import services, surveys
from .models import CheckIn, CheckInRequest, MEAProfile, Milestone, Survey
from .need import need_scores_recompute

GROUP_MEA = {"harbor": "mea_alex", "cedar": "mea_sam"}
HOW_TO_REACH = {
    "mea_alex": "Discord: alexk · replies within a day, weekday evenings Pacific",
    "mea_sam": "Discord: sam.okafor · weekends, UK time",
}

# mentee email -> list of (days ago, with whom, rating, held, cancelled, to celebrate)
CHECKINS = {
    # Overdue, and the rating fell from 4 to 2: top of Alex's list.
    "mentee@example.org": [(50, "both", 4, 2, 0, "Taylor made it to three meetings in a row."),
                           (35, "mentor", 2, 1, 1, "")],
    # "They cancel repeatedly" (the seed's example).
    "mentee.chris@example.org": [(20, "mentee", 3, 1, 1, ""), (4, "mentor", 3, 0, 2, "")],
    # Due today: one check-in 16 days ago (the second of the first month).
    "mentee.dana@example.org": [(16, "both", 5, 3, 0, "Dani shared her story in the circle for the first time.")],
    # mentee.eli@example.org: new, not checked in yet (no entry).
}
# mentee email -> (what, days ago): a week of things to celebrate across the demo.
MILESTONES = {
    "mentee.dana@example.org": [("First month together, every meeting held", 2)],
    "mentee@example.org": [("Taylor called a friend instead of staying in alone", 1),
                           ("Back at the Thursday circle after a month away", 6)],
    "mentee.chris@example.org": [("Chris wrote down three boundaries and kept one all week", 4)],
}
ASK_MENTOR_OF = "mentee@example.org"
# The members' own voice: mentee email -> (mentor's pulse, mentee's pulse, mentee's sentence for the MEA).
# Priya and Chris: a falling pulse (4 then 2), which raises them on Alex's dashboard.
PULSES = {"mentee.chris@example.org": (4, 2, "We keep missing each other; I feel like a bother."),
          "mentee.dana@example.org": (5, 5, "")}


def seed(ctx) -> None:
    for key, text in HOW_TO_REACH.items():
        user = ctx.users.get(key)
        if user:
            MEAProfile.objects.get_or_create(user=user, defaults={"how_to_reach": text})
    matches = {
        m.mentee.email: m
        for m in Match.objects.active().filter(mentee__email__endswith="@example.org").select_related("mentee", "group")
    }
    if not matches:
        ctx.log("support: no demo matches yet (matches/demo.py); check-ins skipped")
        return
    today = timezone.localdate()
    coordinator = ctx.users.get("coordinator")
    for email, match in matches.items():
        mea = ctx.users.get(GROUP_MEA.get(match.group.slug, ""))
        if match.mea_id is None and mea and coordinator:
            try:
                match = matches[email] = services.match_mea_assign(match=match, mea=mea, by=coordinator)
            except services.SupportError as exc:
                ctx.log(f"support: match #{match.pk} left without an MEA ({exc})")
        services.support_for(match)
        if match.mea_id is None or CheckIn.objects.filter(match=match).exists():
            continue
        started = timezone.localdate(match.started_at)
        for days_ago, with_whom, rating, held, cancelled, celebrate in CHECKINS.get(email, []):
            services.checkin_record(
                match=match, mea=match.mea, with_whom=with_whom, rating=rating, meetings_held=held,
                meetings_cancelled=cancelled, to_celebrate=celebrate,
                held_on=max(started, today - timedelta(days=days_ago)),
                private_note="Demo note: only the MEA sees this.",
            )
    for email, items in MILESTONES.items():
        match = matches.get(email)
        for what, days_ago in items if match else ():
            Milestone.objects.get_or_create(
                match=match, what=what,
                defaults={"recorded_by": match.mentee, "happened_on": today - timedelta(days=days_ago)},
            )
    match = matches.get(ASK_MENTOR_OF)
    if match and match.mea_id and not CheckInRequest.objects.filter(match=match).exists():
        services.checkin_request_create(match=match, by=match.mea, respondent=match.mentor)
    _seed_voices(matches)
    # The dashboards' stored need score for every demo match (what the nightly task does): the
    # demo's meetings, reports and matches were partly written directly, not through the services.
    need_scores_recompute()
    ctx.log(f"support: check-ins on {len(matches)} demo matches; a self check-in waits for {ASK_MENTOR_OF}'s mentor")


def _seed_voices(matches: dict) -> None:
    """Pulse answers on two demo matches (one falling); idempotent: a match with answers is left alone."""
    for email, (mentor_score, mentee_score, sentence) in PULSES.items():
        match = matches.get(email)
        if match is None or Survey.objects.filter(match=match).exists():
            continue
        occurrence = surveys.pulse_occurrence(match)
        surveys.pulse_answer(match=match, by=match.mentor, occurrence=occurrence, score=mentor_score)
        surveys.pulse_answer(match=match, by=match.mentee, occurrence=occurrence, score=mentee_score, comment=sentence)
