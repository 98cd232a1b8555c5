"""Pages that ask before doing what is hard to undo (issue 19).

Retiring as a mentor, ending a match and declining a proposal each get a page of
their own (GET) that says what happens next; its button posts to the action's
existing endpoint (matches.views), which keeps its own checks and answers.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from profiles.access import role_required
from profiles.models import Role

from .forms import MatchEndForm
from .models import Match, MentorProfile
from .views import _proposal_to_answer


@role_required(Role.MENTOR)
def mentor_retire_confirm(request):
    profile = MentorProfile.objects.filter(user=request.user).first()
    if profile is None or profile.status == MentorProfile.Status.RETIRED:
        return redirect("matches:mentor_home")
    active = Match.objects.mentored_by(request.user).active().count()
    return render(request, "matches/confirm_retire.html", {"mentor_profile": profile, "active": active})


def match_end_page(request, match: Match, form=None, status=200):
    """The page to end a match (also re-shown by matches.views.match_end with the form's errors)."""
    return render(request, "matches/match_end.html", {
        "match": match, "other": match.other_person(request.user), "end_form": form or MatchEndForm(),
    }, status=status)


@login_required
def match_end_confirm(request, pk):
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile", "mea__profile"), pk=pk)
    if not match.involves(request.user):
        raise Http404  # either side ends a match; its MEA, coordinators and staff read it only
    if not match.is_active:
        return redirect("matches:match_detail", pk=pk)
    return match_end_page(request, match)


@login_required
def proposal_decline_confirm(request, pk):
    proposal = _proposal_to_answer(request, pk)
    if not proposal.is_open:
        return redirect("matches:proposal_detail", pk=pk)
    return render(request, "matches/confirm_decline.html", {
        "proposal": proposal, "other": proposal.other_person(request.user)})
