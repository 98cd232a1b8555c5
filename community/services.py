"""Writes for the chat board and the toolkit. Each raises CommunityError with a message a person can act on."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.services import ConcernError, concern_raise
from matches.models import Match
from notifications.services import email_queue, notice_create
from profiles.models import Membership, SupportGroup, User
from profiles.program import program_settings
from profiles.resubmit import resubmitted

from .models import Block, ChatMessage, ChatPost, ChatReport, ChatThread, ContactMethod, Resource, SavedResource


class CommunityError(Exception):
    """A refused change; the message is shown to the person who asked."""


# --- Chat board ------------------------------------------------------------------


def post_create(*, author: User, group: SupportGroup, kind: str, title: str, body: str) -> ChatPost:
    if not Membership.objects.filter(user=author, group=group).exists():
        raise CommunityError(_("You can post only to a group you belong to."))
    if kind not in ChatPost.Kind.values:
        raise CommunityError(_("Choose whether you offer to talk or are looking for someone."))
    now = timezone.now()
    title, body = title.strip(), body.strip()
    with transaction.atomic():  # a double submit is one post
        earlier = resubmitted(f"chatpost:{author.pk}", ChatPost.objects.filter(
            author=author, group=group, kind=kind, title=title, body=body))
        return earlier or ChatPost.objects.create(
            author=author, group=group, kind=kind, title=title, body=body,
            created_at=now, expires_at=now + timedelta(days=program_settings().chat_post_ttl_days),
        )


@transaction.atomic
def post_close(*, post: ChatPost, by: User) -> ChatPost:
    # Lock: a close racing a reply must not leave a reply to a post already closed.
    post = ChatPost.objects.select_for_update().get(pk=post.pk)
    if post.author_id != by.pk:
        raise CommunityError(_("Only the author can close a post."))
    if not post.can_move_to(ChatPost.Status.CLOSED):
        raise CommunityError(_("This post is already closed."))
    post.move(ChatPost.Status.CLOSED, closed_at=timezone.now())
    return post


def _separated(a: User, b: User) -> bool:
    return Block.objects.filter(blocker=a, blocked=b).exists() or Block.objects.filter(blocker=b, blocked=a).exists()


@transaction.atomic
def reply_to_author(*, post: ChatPost, replier: User, body: str, contact_method: str = "") -> ChatThread:
    """Open (or continue) the private thread between `replier` and the post's author."""
    # Lock the post: a reply must not slip in after the author closed it.
    post = ChatPost.objects.select_for_update().get(pk=post.pk)
    if post.author_id == replier.pk:
        raise CommunityError(_("This is your own post."))
    if not post.is_live:
        raise CommunityError(_("This post is closed or has expired; it no longer takes replies."))
    if _separated(post.author, replier):
        raise CommunityError(_("You cannot reply to this post."))
    # Members talk to members: a coordinator or staff member outside the group reads, but does not reply.
    if not Membership.objects.filter(user=replier, group_id=post.group_id).exists():
        raise CommunityError(_("Only members of the group can reply to this post."))
    if contact_method and contact_method not in ContactMethod.values:
        raise CommunityError(_("Choose one of the ways to talk."))
    body = body.strip()
    if not body:
        raise CommunityError(_("Write a few words to the author."))
    now = timezone.now()
    try:
        with transaction.atomic():
            thread, created = ChatThread.objects.get_or_create(
                post=post, replier=replier,
                defaults={"author_id": post.author_id, "contact_method": contact_method,
                          "contact_proposed_by": replier if contact_method else None, "last_message_at": now},
            )
    except IntegrityError as exc:  # two tabs replying at once: the other one created it
        thread = ChatThread.objects.filter(post=post, replier=replier).first()
        if thread is None:
            raise CommunityError(_("Your reply could not be sent. Please try again.")) from exc
        created = False
    if not _resubmitted_message(thread, replier, body):
        ChatMessage.objects.create(thread=thread, sender=replier, body=body, created_at=now)
        ChatThread.objects.filter(pk=thread.pk).update(last_message_at=now)
    if created:
        notice_create(post.author, _("Someone replied to your post on the chat board"),
               reverse("community:thread_detail", args=[thread.pk]), dedupe_key=f"chatthread:{thread.pk}:opened")
    return thread


def _resubmitted_message(thread: ChatThread, sender: User, body: str) -> ChatMessage | None:
    """The same words just sent in the same thread: a double submit, not a second message."""
    return resubmitted(f"chatmessage:{sender.pk}", ChatMessage.objects.filter(thread=thread, sender=sender, body=body))


@transaction.atomic
def message_send(*, thread: ChatThread, sender: User, body: str) -> ChatMessage:
    if not thread.involves(sender):
        raise CommunityError(_("This conversation is not yours."))
    if _separated(thread.author, thread.replier):
        raise CommunityError(_("You cannot send messages in this conversation."))
    body = body.strip()
    if not body:
        raise CommunityError(_("Write a message first."))
    earlier = _resubmitted_message(thread, sender, body)
    if earlier:
        return earlier
    now = timezone.now()
    message = ChatMessage.objects.create(thread=thread, sender=sender, body=body, created_at=now)
    ChatThread.objects.filter(pk=thread.pk).update(last_message_at=now)
    return message


@transaction.atomic
def contact_propose(*, thread: ChatThread, by: User, method: str) -> ChatThread:
    # Lock: a proposal crossing an agreement must not leave "agreed" on a method nobody agreed to.
    thread = ChatThread.objects.select_for_update().get(pk=thread.pk)
    if not thread.involves(by):
        raise CommunityError(_("This conversation is not yours."))
    if method not in ContactMethod.values:
        raise CommunityError(_("Choose one of the ways to talk."))
    thread.contact_method = method
    thread.contact_proposed_by = by
    thread.contact_agreed_at = None
    thread.save(update_fields=["contact_method", "contact_proposed_by", "contact_agreed_at"])
    return thread


@transaction.atomic
def contact_agree(*, thread: ChatThread, by: User) -> ChatThread:
    thread = ChatThread.objects.select_for_update().get(pk=thread.pk)
    if not thread.involves(by):
        raise CommunityError(_("This conversation is not yours."))
    if not thread.contact_method:
        raise CommunityError(_("Nobody has suggested a way to talk yet."))
    if thread.contact_proposed_by_id == by.pk:
        raise CommunityError(_("The other person agrees to your suggestion; you cannot agree for them."))
    if thread.contact_agreed_at:
        return thread
    thread.contact_agreed_at = timezone.now()
    thread.save(update_fields=["contact_agreed_at"])
    return thread


def block_create(*, blocker: User, blocked: User) -> Block:
    if blocker.pk == blocked.pk:
        raise CommunityError(_("You cannot block yourself."))
    block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def block_remove(*, blocker: User, block_id: int) -> int:
    deleted, _detail = Block.objects.filter(pk=block_id, blocker=blocker).delete()
    return deleted


def report_create(*, reporter: User, reason: str, note: str = "", post: ChatPost | None = None,
                  message: ChatMessage | None = None, situation: str = "") -> ChatReport:
    """Flag a post or a message to the group's coordinators (in the portal and by email, never with content).

    A report that someone's safety is at risk also opens a concern through the escalation
    router (about the post's author or the message's sender), so staff are told whether
    or not the group has a coordinator, and the reporter sees the guidance for it.
    The concern (or None) is given back on the report as `safety_concern`.
    """
    if (post is None) == (message is None):
        raise CommunityError(_("Report one post or one message."))
    if reason not in ChatReport.Reason.values:
        raise CommunityError(_("Choose why you are reporting this."))
    if post is not None:
        if post.author_id == reporter.pk:
            raise CommunityError(_("This is your own post."))
        group_id = post.group_id
    else:
        if message.sender_id == reporter.pk or not message.thread.involves(reporter):
            raise CommunityError(_("You can report only a message someone sent you."))
        group_id = message.thread.post.group_id
    existing = ChatReport.objects.filter(reporter=reporter, post=post, message=message).first()
    if existing:
        existing.safety_concern = None
        return existing
    report = ChatReport.objects.create(
        reporter=reporter, group_id=group_id, post=post, message=message, reason=reason, note=note.strip()
    )
    concern = None
    if reason == ChatReport.Reason.UNSAFE:
        concern = _safety_concern(reporter, post.author if post else message.sender, situation, note)
    url = reverse("community:report_detail", args=[report.pk])
    title = _("A chat board report needs a coordinator")
    for coordinator in User.objects.coordinators_of(group_id):
        notice_create(coordinator, title, url, dedupe_key=f"chatreport:{report.pk}:{coordinator.pk}")
        email_queue(to=coordinator.email, template="chat_report", context={"title": title, "path": url},
                    dedupe_key=f"chatreport:{report.pk}:{coordinator.pk}")
    report.safety_concern = concern
    return report


def _safety_concern(reporter: User, person: User, situation: str, note: str):
    """The escalation router's report for a chat board safety worry (in the caller's transaction)."""
    kwargs = {"reporter": reporter, "situations": [situation], "details": note, "source": "chat"}
    try:
        return concern_raise(about="member", subject=person, **kwargs)
    except ConcernError:
        try:  # no group shared any more: still a report, about someone at the program
            return concern_raise(about="someone", **kwargs)
        except ConcernError as exc:
            raise CommunityError(str(exc)) from exc


@transaction.atomic
def report_resolve(*, report: ChatReport, by: User, close_post: bool = False) -> ChatReport:
    # Lock: two coordinators handling the same report resolve it once.
    report = ChatReport.objects.select_for_update().get(pk=report.pk)
    if not (by.is_program_staff or report.group_id in by.coordinated_group_ids):
        raise CommunityError(_("Only the group's coordinators handle this report."))
    if not report.can_move_to(ChatReport.Status.RESOLVED):
        raise CommunityError(_("This report was already handled."))
    report.move(ChatReport.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=by)
    if close_post and report.post_id:
        ChatPost.objects.filter(pk=report.post_id, status=ChatPost.Status.OPEN).update(
            status=ChatPost.Status.CLOSED, closed_at=timezone.now()
        )
    return report


# --- Toolkit ---------------------------------------------------------------------


def can_curate(user: User, group: SupportGroup | None) -> bool:
    if user.is_program_staff:
        return True
    return group is not None and group.pk in user.coordinated_group_ids


@transaction.atomic
def resource_save(*, by: User, data: dict, topics=(), resource: Resource | None = None) -> Resource:
    """Create or edit a library resource; coordinators for their groups, staff for any or all."""
    group = data.get("group")
    if not can_curate(by, group) or (resource is not None and not can_curate(by, resource.group)):
        raise CommunityError(_("You can curate resources only for the groups you coordinate."))
    if not (data.get("url") or "").strip() and not (data.get("body") or "").strip():
        raise CommunityError(_("Give a link, a text, or both."))
    if resource is None:
        earlier = resubmitted(f"resource:{by.pk}", Resource.objects.filter(
            created_by=by, group=group, title=data.get("title") or "", url=data.get("url") or "",
            body=data.get("body") or ""))
        if earlier:  # a double submit is one resource
            return earlier
        resource = Resource(created_by=by)
    for field in ("title", "url", "body", "group"):
        setattr(resource, field, data.get(field) or ("" if field != "group" else None))
    resource.save()
    resource.topics.set(topics)
    return resource


@transaction.atomic
def resource_set_status(*, resource: Resource, by: User, status: str) -> Resource:
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not can_curate(by, resource.group):
        raise CommunityError(_("You can curate resources only for the groups you coordinate."))
    if not resource.can_move_to(status):
        raise CommunityError(_("This resource is already %(status)s.") % {"status": resource.get_status_display().lower()})
    resource.status = status
    resource.save(update_fields=["status", "updated_at"])
    return resource


def resource_save_to_match(*, resource: Resource, match: Match, by: User) -> SavedResource:
    if not match.involves(by) or not match.is_active:
        raise CommunityError(_("You can save resources only to your own active match."))
    if resource.status != Resource.Status.PUBLISHED or not Resource.objects.visible_to(by).filter(pk=resource.pk).exists():
        raise CommunityError(_("This resource is not available."))
    saved, _created = SavedResource.objects.get_or_create(match=match, resource=resource, defaults={"saved_by": by})
    return saved


def resource_unsave(*, saved: SavedResource, by: User) -> None:
    if not saved.match.involves(by):
        raise CommunityError(_("Only the mentor or the mentee can remove a saved resource."))
    saved.delete()
