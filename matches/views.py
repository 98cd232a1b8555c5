"""Matching pages. Thin: read through visible_to / selectors (404 outside scope),
write through services, show a service's refusal as a message."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profiles.access import role_required
from profiles.models import Profile, Role, User

from . import selectors, services
from .forms import (
    AcceptForm,
    CapacityForm,
    CoordinatorProposeForm,
    MatchEndForm,
    MenteePreferenceForm,
    MentorApplicationForm,
    MentorStatusForm,
    ProposalStartForm,
    ReviewForm,
)
from .links import link_consume, link_read
from .models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal
from .services import MatchingError


def _fail(request, exc: MatchingError, to: str):
    messages.error(request, exc.text)
    return redirect(to)


def _profile_of(user: User) -> Profile | None:
    """The profile of the other person of a proposal or match the reader was already
    allowed to open (its scoping decided): the two people of a proposal see each
    other even when they share no group, so Profile.visible_to is not the gate here."""
    return Profile.objects.filter(user=user).prefetch_related("topics").first()


# --- Becoming a mentor -------------------------------------------------------------


@login_required
def mentor_apply(request):
    form = MentorApplicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(applicant=request.user, **form.cleaned_data)
        except MatchingError as exc:
            return _fail(request, exc, "matches:mentor_apply")
        messages.success(request, _("Thank you. A coordinator of your group will review your application."))
        return redirect("matches:mentor_apply")
    applications = (MentorApplication.objects.visible_to(request.user).filter(applicant=request.user)
                    .select_related("group", "reviewer"))
    return render(request, "matches/mentorapplication_form.html", {"form": form, "applications": applications})


@role_required(Role.COORDINATOR, Role.STAFF)
@require_POST
def application_review(request, pk):
    application = get_object_or_404(MentorApplication.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return redirect("matches:coordinator_home")
    decline = form.cleaned_data["decision"] == "decline"
    if decline and not request.POST.get("confirm") and application.status == MentorApplication.Status.PENDING:
        # The applicant is told at once and it cannot be taken back: ask first, on a page of its own.
        return render(request, "matches/confirm_application_decline.html",
                      {"application": application, "note": form.cleaned_data["note"]})
    action = services.application_decline if decline else services.application_approve
    try:
        action(application_id=application.pk, by=request.user, note=form.cleaned_data["note"])
    except MatchingError as exc:
        return _fail(request, exc, "matches:coordinator_home")
    messages.success(request, _("Application reviewed; the applicant was told."))
    return redirect("matches:coordinator_home")


@role_required(Role.MENTOR)
@require_POST
def mentor_status(request):
    form = MentorStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("matches:mentor_home")
    action = {"pause": services.mentor_pause, "resume": services.mentor_resume,
              "retire": services.mentor_retire}[form.cleaned_data["action"]]
    try:
        profile = action(mentor=request.user, by=request.user)
    except MatchingError as exc:
        return _fail(request, exc, "matches:mentor_home")
    messages.success(request, _("You are now: %(s)s.") % {"s": profile.get_status_display()})
    return redirect("matches:mentor_home")


@role_required(Role.MENTOR)
@require_POST
def mentor_capacity(request):
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Capacity is between 1 and 10 mentees."))
        return redirect("matches:mentor_home")
    try:
        services.mentor_capacity_set(mentor=request.user, capacity=form.cleaned_data["capacity"], by=request.user)
    except MatchingError as exc:
        return _fail(request, exc, "matches:mentor_home")
    messages.success(request, _("Capacity saved."))
    return redirect("matches:mentor_home")


@role_required(Role.MENTEE)
def mentee_preferences(request):
    preference = (MenteePreference.objects.visible_to(request.user).filter(mentee=request.user).first()
                  or MenteePreference(mentee=request.user))
    form = MenteePreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("matches:mentee_home")
    return render(request, "matches/menteepreference_form.html", {"form": form})


# --- Starting a proposal (three ways) ----------------------------------------------


@role_required(Role.MENTEE)
def proposal_ask(request, mentor_id):
    mentor = get_object_or_404(MentorProfile.objects.visible_to(request.user).select_related("user"),
                               user_id=mentor_id).user
    return _proposal_start(request, mentor, request.user, _("Your ask was sent. Reaching out is brave: thank you."))


@role_required(Role.MENTOR)
def proposal_offer(request, mentee_id):
    mentee = get_object_or_404(selectors.waiting_mentees(request.user.member_group_ids), pk=mentee_id)
    return _proposal_start(request, request.user, mentee, _("Your offer was sent."))


def _proposal_start(request, mentor, mentee, sent: str):
    """A mentee's ask or a mentor's offer to the other: the form, then the proposal."""
    asked = request.user == mentee
    kind, other = (Proposal.Kind.MENTEE, mentor) if asked else (Proposal.Kind.MENTOR, mentee)
    form = ProposalStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(mentor=mentor, mentee=mentee, by=request.user, kind=kind,
                                                reason=form.cleaned_data["reason"], confirm_not_close=True)
        except MatchingError as exc:
            return _fail(request, exc, "matches:mentee_home" if asked else "matches:mentor_home")
        messages.success(request, sent)
        return redirect("matches:proposal_detail", pk=proposal.pk)
    return render(request, "matches/proposal_start.html", {
        "form": form, "other": other, "other_profile": _profile_of(other), "kind": "ask" if asked else "offer"})


@role_required(Role.COORDINATOR)
@require_POST
def proposal_propose(request):
    form = CoordinatorProposeForm(request.POST)
    if not form.is_valid():
        raise Http404
    groups = request.user.coordinated_group_ids
    mentee = get_object_or_404(selectors.waiting_mentees(groups), pk=form.cleaned_data["mentee"])
    mentor = get_object_or_404(MentorProfile.objects.visible_to(request.user).select_related("user"),
                               user_id=form.cleaned_data["mentor"]).user
    try:
        services.proposal_create(mentor=mentor, mentee=mentee, by=request.user, kind=Proposal.Kind.COORDINATOR,
                                 reason=form.cleaned_data["reason"])
    except MatchingError as exc:
        return _fail(request, exc, reverse("matches:suggestions", args=[mentee.pk]))
    messages.success(request, _("Proposal sent to both."))
    return redirect("matches:coordinator_home")


# --- Answering --------------------------------------------------------------------


def _proposal(request, pk) -> Proposal:
    return get_object_or_404(
        Proposal.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile", "group",
                                                                 "initiator__profile"),
        pk=pk,
    )


def _proposal_to_answer(request, pk) -> Proposal:
    """A proposal the signed-in person is one side of; 404 for everyone else, those who may read it included."""
    proposal = _proposal(request, pk)
    if proposal.side_of(request.user) is None:
        raise Http404
    return proposal


@login_required
def proposal_detail(request, pk):
    return _proposal_page(request, pk)


def _proposal_page(request, pk, accept_form=None):
    proposal = _proposal(request, pk)
    side = proposal.side_of(request.user)
    other = proposal.other_person(request.user) if side else None
    events = list(MatchEvent.objects.visible_to(request.user).filter(proposal=proposal).select_related("actor__profile"))
    closing = next((e for e in reversed(events) if e.kind in (MatchEvent.Kind.DECLINED, MatchEvent.Kind.WITHDRAWN)), None)
    return render(request, "matches/proposal_detail.html", {
        # A mentee whose proposal someone else closed hears only that the mentor may be committed.
        "gently_declined": side == "mentee" and closing is not None and closing.actor_id != request.user.pk,
        "proposal": proposal,
        "side": side,
        "other": other,
        "other_profile": _profile_of(other) if other else None,
        "can_answer": side and proposal.is_open and not proposal.accepted_by(side),
        "can_withdraw": proposal.is_open and proposal.may_withdraw(request.user),
        "accept_form": accept_form or AcceptForm(),
        "events": events,
    })


@login_required
@require_POST
def proposal_accept(request, pk):
    proposal = _proposal_to_answer(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        # The confirmation is missing: say so next to the box, change nothing.
        messages.error(request, _("Please correct the highlighted fields."))
        return _proposal_page(request, pk, accept_form=form)
    try:
        proposal = services.proposal_accept(proposal_id=proposal.pk, by=request.user, confirm_not_close=True)
    except MatchingError as exc:
        return _fail(request, exc, reverse("matches:proposal_detail", args=[pk]))
    if proposal.match_id:
        messages.success(request, _("You both said yes: your match has started."))
        return redirect("matches:match_detail", pk=proposal.match_id)
    messages.success(request, _("Thank you. The match starts when the other person says yes too."))
    return redirect("matches:proposal_detail", pk=pk)


@login_required
@require_POST
def proposal_decline(request, pk):
    proposal = _proposal_to_answer(request, pk)
    try:
        services.proposal_decline(proposal_id=proposal.pk, by=request.user)
    except MatchingError as exc:
        return _fail(request, exc, reverse("matches:proposal_detail", args=[pk]))
    messages.success(request, _("You declined. Thank you for answering."))
    return redirect("matches:proposal_detail", pk=pk)


@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = _proposal(request, pk)
    if not proposal.may_withdraw(request.user):
        raise Http404
    try:
        services.proposal_withdraw(proposal_id=proposal.pk, by=request.user)
    except MatchingError as exc:
        return _fail(request, exc, reverse("matches:proposal_detail", args=[pk]))
    messages.success(request, _("Withdrawn."))
    return redirect("matches:proposal_detail", pk=pk)


def proposal_link(request, token):
    """An accept/decline link from an email. GET asks to confirm; POST answers, once."""
    try:
        claim = link_read(token)
    except MatchingError as exc:
        return render(request, "matches/proposal_link.html", {"error": exc.text}, status=410)
    proposal = Proposal.objects.select_related("mentor__profile", "mentee__profile").filter(pk=claim.proposal_id).first()
    person = User.objects.filter(pk=claim.user_id).first()
    if proposal is None or person is None or proposal.side_of(person) is None:
        raise Http404
    if request.user.is_authenticated and request.user.pk != person.pk:
        raise Http404
    form = AcceptForm(request.POST or None) if claim.action == "accept" else None
    if request.method == "POST":
        try:
            link_consume(claim)
            if claim.action == "accept":
                proposal = services.proposal_accept(proposal_id=proposal.pk, by=person,
                                                    confirm_not_close=form.is_valid())
            else:
                proposal = services.proposal_decline(proposal_id=proposal.pk, by=person)
        except MatchingError as exc:
            # Nothing changed, the link included: the request's transaction is rolled back.
            transaction.set_rollback(True)
            return render(request, "matches/proposal_link.html",
                          {"error": exc.text, "proposal": proposal, "form": form, "claim": claim}, status=400)
        return render(request, "matches/proposal_link.html", {"done": True, "claim": claim, "proposal": proposal})
    other = proposal.other_person(person)
    return render(request, "matches/proposal_link.html", {
        "claim": claim, "proposal": proposal, "form": form, "other": other, "other_profile": _profile_of(other)})


# --- The match ----------------------------------------------------------------------


@login_required
@require_POST
def match_end(request, pk):
    match = _match_to_end(request, pk)
    form = MatchEndForm(request.POST)
    if not form.is_valid():
        # Re-show the page with the form's errors next to its fields; nothing changes.
        messages.error(request, _("Please correct the highlighted fields."))
        return match_end_page(request, match, form)
    try:
        services.match_end(match_id=match.pk, by=request.user, **form.cleaned_data)
    except MatchingError as exc:
        return _fail(request, exc, reverse("matches:match_detail", args=[pk]))
    messages.success(request, _("The match has ended. Thank you for the time you shared."))
    return redirect("matches:match_detail", pk=pk)


# --- Suggestions and cohort ------------------------------------------------------------


@login_required
def suggestions(request, mentee_id):
    user = request.user
    if user.pk == mentee_id and user.has_role(Role.MENTEE) and settings.MATCH_SUGGESTIONS_FOR_MENTEES:
        mentee = user
    elif user.has_role(Role.COORDINATOR):
        mentee = get_object_or_404(selectors.waiting_mentees(user.coordinated_group_ids), pk=mentee_id)
    else:
        raise Http404
    return render(request, "matches/suggestions.html", {
        "mentee": mentee,
        "is_coordinator": mentee.pk != user.pk,
        "suggestions": selectors.mentor_suggestions(mentee, user),
        "preference": MenteePreference.objects.visible_to(user).filter(mentee=mentee).prefetch_related("topics").first(),
    })


PAIR = re.compile(r"^(\d+):(\d+)$")


@role_required(Role.COORDINATOR)
def cohort(request):
    user = request.user
    if request.method == "POST":
        sent, refused = 0, []
        groups = user.coordinated_group_ids
        for value in request.POST.getlist("pairs")[:500]:
            found = PAIR.match(value)
            mentee = found and selectors.waiting_mentees(groups).filter(pk=int(found[1])).first()
            mentor = found and MentorProfile.objects.visible_to(user).filter(user_id=int(found[2])).first()
            if not (mentee and mentor):
                refused.append(_("a pair outside your groups"))
                continue
            try:
                services.proposal_create(mentor=mentor.user, mentee=mentee, by=user, kind=Proposal.Kind.COORDINATOR,
                                         reason=_("Suggested by the cohort assignment"))
                sent += 1
            except MatchingError as exc:
                refused.append(f"{mentee.display_name}: {exc.text}")
        messages.success(request, _("%(n)d proposals sent.") % {"n": sent})
        for line in refused[:10]:
            messages.warning(request, line)
        return redirect("matches:coordinator_home")
    return render(request, "matches/cohort.html", {"drafts": selectors.cohort_drafts(user)})


# --- Pages that ask first (issue 19) -------------------------------------------------
# Retiring as a mentor, ending a match and declining a proposal each get a page of their
# own (GET) that says what happens next; its button posts to the action's endpoint above,
# which keeps its own checks and answers.


@role_required(Role.MENTOR)
def mentor_retire_confirm(request):
    profile = MentorProfile.objects.filter(user=request.user).first()
    if profile is None or profile.status == MentorProfile.Status.RETIRED:
        return redirect("matches:mentor_home")
    active = Match.objects.mentored_by(request.user).active().count()
    return render(request, "matches/confirm_retire.html", {"mentor_profile": profile, "active": active})


def match_end_page(request, match: Match, form=None):
    """The page to end a match (also re-shown by match_end with the form's errors)."""
    return render(request, "matches/match_end.html", {
        "match": match, "other": match.other_person(request.user), "end_form": form or MatchEndForm(),
    })


def _match_to_end(request, pk) -> Match:
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile", "mea__profile"), pk=pk)
    if not match.involves(request.user):
        raise Http404  # either side ends a match; its MEA, coordinators and staff read it only
    return match


@login_required
def match_end_confirm(request, pk):
    match = _match_to_end(request, pk)
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
