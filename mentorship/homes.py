"""Pages composed from several apps: the role homes that lead with a next step, and the match page.

The project package sees every app, so a page that shows parts of several is
composed here (docs/DESIGN.md, "Apps"). Each keeps the URL name of the app it
mostly shows (mentorship/urls.py), so `matches:match_detail` still opens the
match page. The MEA's home is support's own page (support/views.py).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from escalations import selectors as escalation_selectors
from matches import selectors as match_selectors
from matches.forms import CapacityForm, ReviewForm
from matches.models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal
from profiles.access import role_required
from profiles.models import Role
from support import next_steps as support_steps

from . import next_steps


@role_required(Role.MENTEE)
def mentee_home(request):
    user = request.user
    matches = Match.objects.visible_to(user).filter(mentee=user).select_related("mentor__profile", "mea__profile", "group")
    current = next((m for m in matches if m.is_active), None)
    asks = list(Proposal.objects.visible_to(user).open().filter(mentee=user).select_related("mentor__profile", "group"))
    # Ranked suggestions have their own page (linked), so this page stays cheap;
    # where the program keeps rankings for coordinators, mentors with room are listed plainly.
    mentors = []
    if current is None and not settings.MATCH_SUGGESTIONS_FOR_MENTEES:
        visible = MentorProfile.objects.visible_to(user).values("pk")
        mentors = list(match_selectors.mentors_with_room().filter(pk__in=visible).exclude(user=user)
                       .order_by("user__email")[:20])
    step, rel = next_steps.for_member(user, current, proposals=asks, is_mentor=False)
    return render(request, "matches/mentee_home.html", {
        "next_step": step,
        "relationship": rel,
        "current": current,
        "past": [m for m in matches if not m.is_active],
        "proposals": asks,
        "asks_left": settings.MAX_OPEN_ASKS - sum(p.initiated_by == Proposal.Kind.MENTEE for p in asks),
        "suggestions_allowed": current is None and settings.MATCH_SUGGESTIONS_FOR_MENTEES,
        "mentors": mentors,
        # Shown only to a mentee looking for a mentor.
        "preference": None if current else MenteePreference.objects.visible_to(user).filter(mentee=user).first(),
        "application": MentorApplication.objects.visible_to(user).filter(applicant=user).first(),
    })


# A mentor takes at most 10 mentees at once (MentorProfile.capacity): one page, normally.
MENTOR_PAGE_SIZE = 10


def _page(matches, total: int, number):
    """Django's page of `matches`, the total already known (counted with the mentor's profile)."""
    paginator = Paginator(matches, MENTOR_PAGE_SIZE)
    paginator.count = total  # Paginator.count is a cached property: the known total saves a COUNT query
    return paginator.get_page(number)


@transaction.non_atomic_requests  # reads only: no transaction to open and commit
@role_required(Role.MENTOR)
def mentor_home(request):
    """The mentor's availability, proposals and mentees: current and past each a page at a time.

    The counts come with the mentor's profile (one query); each list reads
    only its page along the (mentor, status, started_at) index.
    """
    user = request.user
    counts = {
        "current_count": Count("user__mentor_matches", filter=Q(user__mentor_matches__status=Match.Status.ACTIVE)),
        "past_count": Count("user__mentor_matches", filter=Q(user__mentor_matches__status=Match.Status.ENDED)),
    }
    # Their own profile (visible_to's group join would multiply these counts).
    profile = MentorProfile.objects.filter(user=user).annotate(**counts).first()
    if profile is not None:
        profile.active_count = profile.current_count
        current_total, past_total = profile.current_count, profile.past_count
    else:  # a mentor grant without an approved profile yet
        found = Match.objects.mentored_by(user).aggregate(
            current=Count("pk", filter=Q(status=Match.Status.ACTIVE)), past=Count("pk", filter=Q(status=Match.Status.ENDED)))
        current_total, past_total = found["current"], found["past"]
    mine = (Match.objects.mentored_by(user)
            .select_related("mentee__profile", "mea__profile").order_by("-started_at"))
    current = _page(next_steps.with_relationship(mine.active(), user), current_total, request.GET.get("page"))
    current.object_list = list(current.object_list)  # read once: the next step and the list share it
    past = _page(mine.filter(status=Match.Status.ENDED), past_total, request.GET.get("past"))
    waiting = []
    if profile and profile.status == MentorProfile.Status.AVAILABLE and profile.active_count < profile.capacity:
        waiting = list(match_selectors.waiting_mentees(user.member_group_ids).exclude(pk=user.pk)[:20])
    proposals = list(Proposal.objects.visible_to(user).open().filter(mentor=user).select_related("mentee__profile", "group"))
    step, _rel = next_steps.for_member(user, current.object_list[0] if current.object_list else None, proposals=proposals,
                                      is_mentor=True)
    return render(request, "matches/mentor_home.html", {
        "next_step": step,
        "mentor_profile": profile,
        "current": current.object_list,
        "current_page": current,
        "past": past.object_list,
        "past_page": past,
        "proposals": proposals,
        "waiting": waiting,
        "capacity_form": CapacityForm(initial={"capacity": profile.capacity if profile else 2}),
    })


@transaction.non_atomic_requests  # reads only: no transaction to open and commit
@role_required(Role.COORDINATOR)
def coordinator_home(request):
    board = match_selectors.pairing_board(request.user, waiting_page=request.GET.get("waiting"))
    return render(request, "matches/coordinator_home.html", {
        "board": board,
        "next_step": support_steps.for_coordinator(request.user, board),
        "review_form": ReviewForm(),
    })


@login_required
def match_detail(request, pk):
    """The match: how to reach each other, check-ins and milestones (support), the toolkit
    (community), meetings and goals (meetings), the match's history and how to end it."""
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related(
            "mentor__profile", "mentee__profile", "mea__profile", "group", "ended_by__profile"),
        pk=pk,
    )
    user = request.user
    can_end = match.involves(user) and match.is_active
    return render(request, "home/match.html", {
        "match": match,
        "is_side": match.involves(user),
        # The relationship first: how to reach each other, next check-in, milestones, toolkit.
        "relationship": next_steps.relationship(match, user) if can_end else None,
        "can_end": can_end,
        # The private reason: the person who ended it, coordinators of the group, staff.
        "show_reason": match.ended_by_id == user.pk or user.is_program_staff
        or match.group_id in user.coordinated_group_ids,
        # The gratitude note is for the other person (and the writer).
        "show_note": match.involves(user),
        "events": MatchEvent.objects.visible_to(user).filter(match=match).select_related("actor__profile"),
    })


@never_cache
@role_required(Role.STAFF)
def staff_home(request):
    return render(request, "home/staff.html", {
        "summary": escalation_selectors.staff_queue_summary(request.user), "work": support_steps.for_staff(request.user)})
