"""The member's chat board data in their export; erasure blanks their words and keeps others' threads whole."""

from .models import Block, ChatMessage, ChatPost, ChatReport

ERASED = "(removed at the member's request)"

COVERS = ("community.Block.blocker", "community.ChatPost.author", "community.ChatMessage.sender",
          "community.ChatReport.reporter")
EXEMPT = {
    "community.Block.blocked": "Someone else's choice to block the member is theirs, not disclosed to the blocked person.",
    "community.ChatThread.author": "Threads are exported as the messages the member sent; the thread row is shared.",
    "community.ChatThread.replier": "As ChatThread.author.",
    "community.ChatThread.contact_proposed_by": "As ChatThread.author.",
    "community.ChatReport.resolved_by": "A moderator resolving someone else's report: the reporter's record.",
    "community.Resource.created_by": "Toolkit resources are program material written by staff, kept for everyone.",
    "community.SavedResource.saved_by": "A resource saved to a match: shared with the match, no personal text.",
}


# Free text erasure scrubs of the member's identifiers in every row, and the rest with why
# (privacy/registry.py).
SCRUBBED_TEXT = ("community.ChatPost.title", "community.ChatPost.body", "community.ChatMessage.body",
                 "community.ChatReport.note")
TEXT_KEPT = {
    "community.Resource.title": "Toolkit material written by staff for everyone.",
    "community.Resource.url": "A link to toolkit material.",
    "community.Resource.body": "Toolkit material written by staff for everyone.",
}

def export(user) -> dict:
    return {
        "posts": list(ChatPost.objects.filter(author=user).values("kind", "title", "body", "status", "created_at")),
        "messages_sent": list(ChatMessage.objects.filter(sender=user).values("thread_id", "body", "created_at")),
        "reports_made": list(ChatReport.objects.filter(reporter=user).values("reason", "note", "status", "created_at")),
        "blocked": Block.objects.filter(blocker=user).count(),
    }


def erase(user) -> None:
    ChatPost.objects.filter(author=user).update(title=ERASED, body=ERASED)
    ChatMessage.objects.filter(sender=user).update(body=ERASED)
    ChatReport.objects.filter(reporter=user).update(note="")
