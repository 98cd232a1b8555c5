"""Demo matching data: approved mentors, a pending application, four active
matches (started weeks ago, so check-ins have a history), an open offer, an
ended match with a note of thanks, and mentees waiting for days and weeks (mentee_gabe longest).
Idempotent: everything is get-or-create, and history is written only with the
row it describes."""

from datetime import timedelta

from django.utils import timezone

from profiles.models import Role, RoleGrant

from .models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal
from .waiting import waiting_since_recompute

CAPACITY = {"mentor_jordan": 2, "mentor_priya": 2, "mentor_marcus": 2, "mentor_lee": 2, "mentor_rosa": 3}

# (mentee key, mentor key, group key, MEA key or None, days ago started)
ACTIVE = [
    ("mentee_taylor", "mentor_jordan", "harbor", "mea_alex", 55),
    ("mentee_chris", "mentor_priya", "harbor", None, 30),
    ("mentee_dana", "mentor_marcus", "cedar", "mea_sam", 32),
    ("mentee_eli", "mentor_lee", "cedar", None, 5),
]
# Mentees waiting for a mentor, and since how many days ago they asked for one (their
# mentee role's start): the pairing board shows weeks and days, not "1 minute".
WAITING_DAYS = {"mentee_gabe": 23, "mentee_fatima": 9, "applicant": 4}
ENDED = ("mentee_chris", "mentor_rosa", "harbor", 150, 95,
         "Thank you for every Tuesday call, Rosa. You helped me find my feet again.")


def seed(ctx) -> None:
    users, groups, now = ctx.users, ctx.groups, timezone.now()
    for key, capacity in CAPACITY.items():
        MentorProfile.objects.get_or_create(
            user=users[key], defaults={"capacity": capacity, "approved_at": now - timedelta(days=400)}
        )

    application, created = MentorApplication.objects.get_or_create(
        applicant=users["applicant"], status=MentorApplication.Status.PENDING,
        defaults={"group": groups["harbor"], "months_in_group": 14, "capacity": 2,
                  "qualities": ["experience", "compassion", "responsiveness", "safety"],
                  "experiences": "Discovery two years ago; rebuilt trust step by step."},
    )
    if created:
        application.topics.set([ctx.topics["Betrayal trauma"], ctx.topics["Rebuilding trust"]])

    mentee, mentor, group, started, ended, note = ENDED
    match, created = Match.objects.get_or_create(
        mentee=users[mentee], mentor=users[mentor], status=Match.Status.ENDED,
        defaults={"group": groups[group], "started_at": now - timedelta(days=started),
                  "ended_at": now - timedelta(days=ended), "ended_by": users[mentee],
                  "end_reason": "Felt ready to go on with the group's support.", "gratitude_note": note,
                  "suitability_rating": 5},
    )
    if created:
        MatchEvent.objects.create(match=match, kind=MatchEvent.Kind.STARTED, actor=users[mentee],
                                  created_at=match.started_at)
        MatchEvent.objects.create(match=match, kind=MatchEvent.Kind.ENDED, actor=users[mentee],
                                  created_at=match.ended_at)

    for mentee, mentor, group, mea, days in ACTIVE:
        match, created = Match.objects.get_or_create(
            mentee=users[mentee], status=Match.Status.ACTIVE,
            defaults={"mentor": users[mentor], "group": groups[group], "mea": users[mea] if mea else None,
                      "started_at": now - timedelta(days=days)},
        )
        if created:
            MatchEvent.objects.create(match=match, kind=MatchEvent.Kind.STARTED, actor=users[mentee],
                                      created_at=match.started_at)
            if mea:
                MatchEvent.objects.create(match=match, kind=MatchEvent.Kind.MEA_ASSIGNED,
                                          created_at=match.started_at)

    proposal, created = Proposal.objects.get_or_create(
        mentee=users["mentee_fatima"], mentor=users["mentor_rosa"], status=Proposal.Status.OPEN,
        defaults={"group": groups["harbor"], "initiated_by": Proposal.Kind.MENTOR, "initiator": users["mentor_rosa"],
                  "reason": "We share faith and boundaries as topics; I'd be glad to walk alongside.",
                  "mentor_accepted_at": now - timedelta(days=1), "mentor_confirmed_not_close": True,
                  "created_at": now - timedelta(days=1), "expires_at": now + timedelta(days=6)},
    )
    if created:
        MatchEvent.objects.create(proposal=proposal, kind=MatchEvent.Kind.PROPOSED, actor=users["mentor_rosa"],
                                  created_at=proposal.created_at)

    # mentee_gabe is waiting, with a soft preference.
    preference, created = MenteePreference.objects.get_or_create(
        mentee=users["mentee_gabe"], defaults={"preferred_gender": "man", "note": "Evenings, Pacific time."}
    )
    if created:
        preference.topics.set([ctx.topics["Divorce"], ctx.topics["Co-parenting"]])
    for key, days in WAITING_DAYS.items():
        asked = now - timedelta(days=days)
        RoleGrant.objects.filter(user=users[key], role=Role.MENTEE, ended_at=None, started_at__gt=asked).update(
            started_at=asked)
    # The demo's ended match was written directly (not through match_end), and the grants just dated.
    waiting_since_recompute()
    ctx.log("matches: 5 mentors, 4 active matches, 1 open offer, 1 ended match, 1 application, mentee_gabe waiting")
