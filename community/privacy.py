"""The member's chat board data in their export; erasure blanks their words and keeps others' threads whole."""

from .models import Block, ChatMessage, ChatPost, ChatReport

ERASED = "(removed at the member's request)"


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
