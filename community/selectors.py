"""Reads for the board and the toolkit, each through `visible_to` and with a fixed number of queries."""

from django.db.models import Count, Q

from matches.models import Match

from .models import ChatPost, ChatReport, ChatThread, Resource, SavedResource


def board_posts(user, kind: str = ""):
    posts = (
        ChatPost.objects.visible_to(user).live()
        .select_related("author__profile", "group")
        .order_by("-created_at")
    )
    if kind in ChatPost.Kind.values:
        posts = posts.filter(kind=kind)
    return posts


def my_posts(user):
    return (
        ChatPost.objects.visible_to(user).filter(author=user)
        .select_related("group")
        .annotate(thread_count=Count("threads"))
        .order_by("-created_at")
    )


def my_threads(user):
    return (
        ChatThread.objects.visible_to(user)
        .select_related("post", "author__profile", "replier__profile")
        .order_by("-last_message_at")
    )


def reports_to_handle(user):
    """Reports a coordinator (their groups) or staff (all) handle, open ones first."""
    reports = ChatReport.objects.visible_to(user)
    if not user.is_program_staff:
        reports = reports.filter(group_id__in=user.coordinated_group_ids)
    return reports.select_related("group").order_by("status", "-created_at")


def my_active_matches(user) -> list[Match]:
    """The signed-in person's own active matches (as mentor or mentee), with the other person's name."""
    matches = list(
        Match.objects.visible_to(user).active().filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor__profile", "mentee__profile")
    )
    for match in matches:
        match.other_name = match.other_person(user).display_name
    return matches


def library(user, topic_slug: str = "", include_archived: bool = False):
    resources = Resource.objects.visible_to(user).select_related("group").prefetch_related("topics")
    if not include_archived:
        resources = resources.published()
    if topic_slug:
        resources = resources.filter(topics__slug=topic_slug)
    return resources.distinct().order_by("title", "pk")


def saved_for_matches(user, matches):
    return (
        SavedResource.objects.visible_to(user).filter(match__in=matches)
        .select_related("resource", "saved_by__profile").order_by("-created_at")
    )
