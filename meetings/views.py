"""Thin views: each reads through `visible_to`, calls one service and shows its error as a message."""

import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matches.models import Match

from . import calendar, services
from .forms import GoalForm, GoalProgressForm, MeetingForm
from .models import CalendarFeed, Goal, Meeting
from .services import MeetingError

FEED_PAST_DAYS = 180
FEED_LIMIT = 500


def zone_of(user) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None)
    return profile.zone if profile else zoneinfo.ZoneInfo("UTC")


def _meeting(request, pk) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related(
            "match__mentor__profile", "match__mentee__profile", "proposed_by__profile"),
        pk=pk,
    )


def _own_meeting(request, pk) -> Meeting:
    """A meeting of the signed-in person's own match (mentor or mentee); 404 for anyone else."""
    meeting = _meeting(request, pk)
    if not meeting.match.involves(request.user):
        raise Http404
    return meeting


@login_required
def propose(request, pk):
    match = get_object_or_404(Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile"),
                              pk=pk)
    if not match.involves(request.user) or not match.is_active:
        raise Http404
    form = MeetingForm(request.POST or None, zone=zone_of(request.user))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_propose(match=match, by=request.user, starts_at=data["starts_at"],
                                                   minutes=data["minutes"], how=data["how"], where=data["where"])
            except MeetingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Proposed. %(name)s will be asked to accept it or suggest another time.")
                                 % {"name": match.other_person(request.user).display_name})
                return redirect("meetings:detail", pk=meeting.pk)
        else:
            messages.error(request, _("Please correct the highlighted fields."))
    return render(request, "meetings/meeting_form.html", {"form": form, "match": match, "meeting": None})


@login_required
def detail(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    is_side = meeting.match.involves(user)
    suggest_form = None
    if is_side and meeting.is_open and meeting.match.is_active:
        suggest_form = MeetingForm(zone=zone_of(user))
        suggest_form.initial_from(meeting)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "match": meeting.match, "is_side": is_side, "zone": zone_of(user),
        "awaits_me": meeting.awaits_answer_from(user),
        "can_mark_held": is_side and meeting.can_move_to(Meeting.Status.HELD) and meeting.starts_at <= timezone.now(),
        "suggest_form": suggest_form,
    })


def _transition(request, pk, service, done: str):
    meeting = _own_meeting(request, pk)
    try:
        service(meeting=meeting, by=request.user)
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def accept(request, pk):
    return _transition(request, pk, services.meeting_accept,
                       _("Accepted. A calendar invite is on its way to both of you."))


@login_required
@require_POST
def mark_held(request, pk):
    return _transition(request, pk, services.meeting_mark_held, _("Marked as held. Thank you."))


@login_required
@require_POST
def cancel(request, pk):
    return _transition(request, pk, services.meeting_cancel, _("Cancelled. The other person has been told."))


@login_required
def suggest(request, pk):
    meeting = _own_meeting(request, pk)
    form = MeetingForm(request.POST or None, zone=zone_of(request.user))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_suggest(meeting=meeting, by=request.user, starts_at=data["starts_at"],
                                         minutes=data["minutes"], how=data["how"], where=data["where"])
            except MeetingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Suggested. The other person will be asked to accept the new time."))
                return redirect("meetings:detail", pk=meeting.pk)
        else:
            messages.error(request, _("Please correct the highlighted fields."))
    else:
        form.initial_from(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "match": meeting.match, "meeting": meeting})


@login_required
def ics(request, pk):
    """The meeting's calendar file for the signed-in side (its invite, or its cancellation)."""
    meeting = _own_meeting(request, pk)
    body = calendar.invite_ics(meeting, for_user=request.user, cancel=meeting.status == Meeting.Status.CANCELLED)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# --- Goals --------------------------------------------------------------------------------


def _back_to_match(match_id: int):
    return redirect(reverse("matches:match_detail", args=[match_id]) + "#goals-h")


@login_required
@require_POST
def goal_add(request, pk):
    match = get_object_or_404(Match.objects.visible_to(request.user), pk=pk)
    if not match.involves(request.user) or not match.is_active:
        raise Http404
    form = GoalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the goal in a few words (at most 300 characters)."))
        return _back_to_match(match.pk)
    try:
        services.goal_add(match=match, by=request.user, text=form.cleaned_data["text"])
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Goal added. Only the two of you and your MEA can read it."))
    return _back_to_match(match.pk)


@login_required
@require_POST
def goal_update(request, pk):
    goal = get_object_or_404(Goal.objects.visible_to(request.user).select_related("match"), pk=pk)
    if not goal.match.involves(request.user):
        raise Http404  # the MEA reads the pair's goals; only the pair marks them
    form = GoalProgressForm(request.POST, prefix=f"goal{goal.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose how far along you are."))
        return _back_to_match(goal.match_id)
    try:
        goal = services.goal_progress(goal=goal, by=request.user, **form.cleaned_data)
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Well done! Your MEA will celebrate with you.") if goal.status == Goal.Status.REACHED
                         else _("Progress saved."))
    return _back_to_match(goal.match_id)


# --- The private calendar feed ----------------------------------------------------------


@login_required
def calendar_settings(request):
    return render(request, "meetings/calendar_settings.html", {
        "feed": CalendarFeed.objects.visible_to(request.user).active().first(), "new_url": None})


@login_required
@require_POST
def calendar_new(request):
    token = services.calendar_feed_create(request.user)
    messages.success(request, _("Your new calendar link is ready. Any earlier link has stopped working."))
    # Shown once, in this answer: only a hash of the secret is kept.
    return render(request, "meetings/calendar_settings.html", {
        "feed": CalendarFeed.objects.visible_to(request.user).active().first(),
        "new_url": services.calendar_feed_url(token)})


@login_required
@require_POST
def calendar_stop(request):
    if services.calendar_feed_revoke(request.user):
        messages.success(request, _("Your calendar link has stopped working."))
    return redirect("meetings:calendar")


def feed(request, token):
    """A person's meetings as a calendar (no sign-in: the secret in the URL is the key); unknown or revoked: 404."""
    owner = services.calendar_feed_owner(token)
    if owner is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    meetings = (Meeting.objects.of_person(owner).filter(starts_at__gte=since)
                .select_related("match__mentor__profile", "match__mentee__profile").order_by("starts_at")[:FEED_LIMIT])
    response = HttpResponse(calendar.feed_ics(meetings, for_user=owner), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
