"""Demo reports on the demo matches (matches/demo.py): every tier and every status,
reports about oneself and about someone at the program.

Idempotent: each report is keyed by its demo details text and skipped when it
exists. Matches are found by mentee email; a missing match is skipped.
"""

from datetime import timedelta

from django.utils import timezone

from matches.models import Match

from .models import Concern, ConcernEvent
from .services import (
    concern_acknowledge,
    concern_assign,
    concern_escalate,
    concern_raise,
    concern_resolve,
    concern_start,
    debrief_done,
    debrief_respond,
)

# (mentee email, reporter: "mentor"/"mentee", situations, about, details, steps, hours ago)
# steps: ack/start/resolve by "mea" or "staff", "escalate", "assign", "debrief", "debrief_done"
REPORTS = [
    ("mentee@example.org", "mentor", ["communication"], "mentee",
     "Demo: Taylor has not answered my last three messages.", [], 5),
    ("mentee@example.org", "mentor", ["overwhelmed"], "self",
     "Demo: I feel stretched thin this month.", ["ack:mea", "start:mea"], 30),
    ("mentee@example.org", "mentee", ["suicidal_thoughts_plan"], "self",
     "Demo: the thoughts came back this week.", [], 2),
    ("mentee.chris@example.org", "mentee", ["harassed"], "someone",
     "Demo: someone from another group keeps messaging me after I said no.", [], 6),
    ("mentee.chris@example.org", "mentor", ["hurting_someone"], "mentee",
     "Demo: Chris said he would make his neighbour pay, tonight.", [], 0.2),
    ("mentee@example.org", "mentee", ["boundaries"], "mentor",
     "Demo: my mentor texts late at night.", ["ack:mea", "start:mea", "resolve:mea"], 200),
    ("mentee@example.org", "mentor", ["relational"], "mentee",
     "Demo: we keep misunderstanding each other.", ["ack:mea", "escalate"], 60),
    ("mentee@example.org", "mentor", ["harassed"], "mea",
     "Demo: the MEA's comments made me uncomfortable.", ["ack:staff", "assign", "start:staff"], 20),
    ("mentee.chris@example.org", "mentor", ["conflict"], "mentee",
     "Demo: we need someone to help us talk it through.", [], 3),
    ("mentee.dana@example.org", "mentor", ["victim_of_abuse"], "mentee",
     "Demo: Dani told me someone at home hurts her.", [], 48),
    ("mentee.dana@example.org", "mentor", ["suicidal_thoughts_plan"], "mentee",
     "Demo: Dani shared thoughts of suicide and a plan.", ["ack:staff", "debrief"], 10),
    ("mentee.dana@example.org", "mentor", ["decompensation"], "mentee",
     "Demo: Dani seemed not to know where she was.",
     ["ack:staff", "start:staff", "resolve:staff", "debrief", "debrief_done"], 400),
]


# How long the demo's handlers took to acknowledge, by tier: minutes for an
# emergency, under an hour for staff, an afternoon for an MEA (the insights'
# "time to acknowledge" then tells a believable story, not ~400 hours).
ACK_AFTER = {3: timedelta(minutes=6), 2: timedelta(minutes=40), 1: timedelta(hours=5)}
STEP_GAP = timedelta(hours=3)  # between a report's later steps


def _backdate_steps(concern, created) -> None:
    """The steps just taken happened after the report was raised, not at seeding time."""
    acked = created + ACK_AFTER.get(concern.tier, ACK_AFTER[1])
    now = timezone.now()
    later = list(concern.events.filter(created_at__gt=created).order_by("created_at", "pk"))
    for i, event in enumerate(later):
        event.created_at = min(acked + i * STEP_GAP, now)
    ConcernEvent.objects.bulk_update(later, ["created_at"])
    stamps = {}
    if concern.acknowledged_at:
        stamps["acknowledged_at"] = min(acked, now)
    if concern.resolved_at:
        stamps["resolved_at"] = min(acked + max(len(later) - 1, 1) * STEP_GAP, now)
    if stamps:
        Concern.objects.filter(pk=concern.pk).update(**stamps)


def seed(ctx) -> None:
    staff = ctx.users.get("staff")
    made = 0
    for mentee_email, reporter_key, situations, about, details, steps, hours_ago in REPORTS:
        if Concern.objects.filter(details=details).exists():
            continue
        match = Match.objects.filter(mentee__email=mentee_email, status=Match.Status.ACTIVE).first()
        if match is None:
            continue
        reporter = match.mentor if reporter_key == "mentor" else match.mentee
        concern = concern_raise(reporter=reporter, match=None if about == "someone" else match, situations=situations,
                                about=about, details=details)
        created = timezone.now() - timedelta(hours=hours_ago)
        Concern.objects.filter(pk=concern.pk).update(
            created_at=created, ack_deadline=created + (concern.ack_deadline - concern.created_at)
        )
        concern.events.update(created_at=created)
        for step in steps:
            who = match.mea if step.endswith(":mea") else staff
            if step.startswith("ack:"):
                concern = concern_acknowledge(concern, who)
            elif step.startswith("start:"):
                concern = concern_start(concern, who)
            elif step.startswith("resolve:"):
                concern = concern_resolve(concern, who, "Demo: talked it through; both feel heard.")
            elif step == "escalate":
                concern = concern_escalate(concern, match.mea, "Demo: mediation did not help; needs staff.")
            elif step == "assign" and staff:
                concern = concern_assign(concern, staff, staff)
            elif step == "debrief":
                debrief_respond(concern.debrief, reporter, accept=True)
            elif step == "debrief_done":
                debrief_done(concern.debrief, staff)
        _backdate_steps(concern, created)
        made += 1
    ctx.log(f"escalations: {made} demo reports (every tier and status)" if made else "escalations: demo reports in place")
