"""Demo chat board and toolkit: an offer and a request to talk, a private reply thread with
an agreed way to talk, curated resources, and one resource saved to a demo match (found by
its mentee's email; skipped when matches/demo.py made none). Idempotent: get-or-create."""

from datetime import timedelta

from django.utils import timezone

from matches.models import Match
from profiles.models import Membership, Role, RoleGrant
from profiles.program import program_settings

from .models import ChatMessage, ChatPost, ChatThread, Resource, SavedResource

POSTS = [
    # (author key, group key, kind, title, body, days ago): the board has a week of activity
    ("mentor_jordan", "harbor", ChatPost.Kind.OFFER, "Happy to talk with anyone new to co-parenting",
     "Three years in. If the handovers are hard right now, I'm glad to listen. Weekday evenings, Eastern time.", 5),
    ("mentee_chris", "harbor", ChatPost.Kind.REQUEST, "Looking for someone to talk with after a hard week",
     "Trust is the hard part for me at the moment. Anyone up for a call this weekend?", 1),
]
THREAD_DAYS_AGO = 4  # Fatima answered Jordan's offer the day after it was posted
THREAD = {
    "post": "Happy to talk with anyone new to co-parenting", "replier": "mentee_fatima", "method": "text",
    "messages": [
        ("mentee_fatima", "Hi Jordan, I'm new and the school pick-ups are really hard. Could we text this week?"),
        ("mentor_jordan", "Of course, Fatima. Texting works well for me; I've agreed below so you'll see my number."),
    ],
}
RESOURCES = [
    # (curator key, group key or None, title, url, body, topics)
    ("coordinator", "harbor", "Setting boundaries with kindness",
     "https://www.nami.org/", "A short guide to saying no without guilt, and asking for what you need.",
     ["Boundaries", "Self-care"]),
    ("coordinator", "cedar", "Grief doesn't follow a straight line", "",
     "Healing is not linear: good weeks and hard weeks both belong. Notice one small thing that helped today.",
     ["Grief"]),
    ("staff", None, "988 Suicide & Crisis Lifeline: how to help someone else",
     "https://988lifeline.org/help-someone-else/", "", ["Anxiety"]),
]
SAVE = {"mentee_email": "mentee@example.org", "resource": "Setting boundaries with kindness"}


def seed(ctx) -> None:
    users, groups = ctx.users, ctx.groups
    now = timezone.now()
    posts = {}
    for author_key, group_key, kind, title, body, days_ago in POSTS:
        author, group = users.get(author_key), groups.get(group_key)
        if not (author and group):
            continue
        posted = now - timedelta(days=days_ago)
        posts[title], _ = ChatPost.objects.get_or_create(
            author=author, title=title,
            defaults={"group": group, "kind": kind, "body": body, "created_at": posted,
                      "expires_at": posted + timedelta(days=program_settings().chat_post_ttl_days)},
        )
    post, replier = posts.get(THREAD["post"]), users.get(THREAD["replier"])
    if post and replier:
        started = now - timedelta(days=THREAD_DAYS_AGO)
        thread, created = ChatThread.objects.get_or_create(
            post=post, replier=replier,
            defaults={"author": post.author, "contact_method": THREAD["method"], "contact_proposed_by": replier,
                      "contact_agreed_at": started + timedelta(hours=3)},
        )
        if created:
            for i, (sender_key, body) in enumerate(THREAD["messages"]):
                ChatMessage.objects.create(thread=thread, sender=users[sender_key], body=body,
                                           created_at=started + timedelta(hours=3 * i))
    for curator_key, group_key, title, url, body, topics in RESOURCES:
        resource, created = Resource.objects.get_or_create(
            title=title, defaults={"url": url, "body": body, "group": groups.get(group_key) if group_key else None,
                                   "created_by": users.get(curator_key)},
        )
        if created:
            resource.topics.set([ctx.topics[t] for t in topics if t in ctx.topics])
    _date_demo_mentee_grants()
    match = Match.objects.active().filter(mentee__email=SAVE["mentee_email"]).first()
    if match is None:
        ctx.log("community: no demo match for mentee@example.org yet; no resource saved to a match")
        return
    SavedResource.objects.get_or_create(
        match=match, resource=Resource.objects.get(title=SAVE["resource"]), defaults={"saved_by": match.mentor}
    )


def _date_demo_mentee_grants() -> None:
    """Demo mentees who have a match became mentees when they joined their group, not when the demo ran.

    The demo grants roles "now" while the demo matches started weeks ago; without this
    the "time to match" chart would have nothing to show. Only matched demo mentees are
    touched (a waiting mentee keeps its grant date, so waiting-time nudges stay as built).
    """
    for match in Match.objects.filter(mentee__email__endswith="@example.org").select_related("mentee"):
        joined = Membership.objects.filter(user=match.mentee, group=match.group).values_list("joined_on", flat=True).first()
        if joined is None:
            continue
        became = min(timezone.make_aware(timezone.datetime.combine(joined, timezone.datetime.min.time())), match.started_at)
        RoleGrant.objects.filter(user=match.mentee, role=Role.MENTEE, started_at__gt=became).update(started_at=became)
