"""Pulse, closing and program surveys: thin views over support.surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from escalations import guidance
from matches.models import Match
from profiles.models import User

from . import surveys
from .forms import ClosingForm, ProgramSurveyForm, PulseForm
from .services import SupportError


def _own_match(request, pk) -> Match:
    match = get_object_or_404(Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile"),
                              pk=pk)
    if not match.involves(request.user):
        raise Http404
    return match


def _answer_pulse(request, *, match: Match, person: User, occurrence, form: PulseForm, after: str | None):
    """Save a valid pulse; a worry shows the emergency guidance and the report form at once."""
    try:
        survey = surveys.pulse_answer(match=match, by=person, occurrence=occurrence, **form.cleaned_data)
    except SupportError as exc:
        if after is None:
            return render(request, "support/pulse_form.html", {"error": str(exc)}, status=409)
        messages.error(request, str(exc))
        return redirect(after)
    if survey.worried:
        # At once, in this answer: where to get help now, and the report form for this match.
        return render(request, "support/pulse_worried.html", {
            "report_url": surveys.report_url(match.pk),
            "lines": guidance.all_lines(guidance.emergency_numbers(match.group_id))})
    if after is None:
        return render(request, "support/pulse_form.html", {"thanks": True})
    messages.success(request, _("Thank you. Your MEA will read it."))
    return redirect(after)


@login_required
def pulse(request, pk):
    match = _own_match(request, pk)
    if not match.is_active:
        raise Http404
    occurrence = surveys.pulse_occurrence(match)
    if surveys.pulse_answered(match, request.user, occurrence):
        messages.info(request, _("You already told your MEA how it is going this time. Thank you!"))
        return redirect("support:match_detail", pk=match.pk)
    form = PulseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return _answer_pulse(request, match=match, person=request.user, occurrence=occurrence, form=form,
                                 after=reverse("support:match_detail", args=[match.pk]))
        messages.error(request, _("Please choose how it is going, from 1 to 5."))
    return render(request, "support/pulse_form.html", {"form": form, "match": match})


@never_cache
def pulse_link(request, token):
    """The one-click link from the pulse email: GET shows the form (changes nothing), POST answers once."""
    try:
        claim = surveys.pulse_link_read(token)
    except SupportError as exc:
        return render(request, "support/pulse_form.html", {"error": str(exc)}, status=410)
    match = Match.objects.filter(pk=claim.match_id).select_related("mentor__profile", "mentee__profile").first()
    person = User.objects.filter(pk=claim.user_id, is_active=True).first()
    if match is None or person is None or not match.involves(person):
        return render(request, "support/pulse_form.html", {"error": _("This link is not valid.")}, status=410)
    if surveys.pulse_answered(match, person, claim.occurrence):
        return render(request, "support/pulse_form.html", {"error": _("You already answered this one. Thank you!")},
                      status=410)
    form = PulseForm(request.POST or None, initial={"score": request.GET.get("score")})
    if request.method == "POST":
        if form.is_valid():
            return _answer_pulse(request, match=match, person=person, occurrence=claim.occurrence, form=form,
                                 after=None)
        messages.error(request, _("Please choose how it is going, from 1 to 5."))
    return render(request, "support/pulse_form.html", {"form": form, "match": match, "by_link": True})


@login_required
def closing(request, pk):
    match = _own_match(request, pk)
    if match.is_active:
        raise Http404
    form = ClosingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.closing_answer(match=match, by=request.user, **form.cleaned_data)
            except SupportError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Thank you for looking back with us."))
            return redirect("support:match_detail", pk=match.pk)
        messages.error(request, _("Please choose from 1 to 5."))
    return render(request, "support/closing_form.html", {"form": form, "match": match})


@login_required
def program(request):
    roles = surveys.program_roles(request.user)
    if not roles:
        if request.user.has_role("mentor", "mentee"):
            messages.info(request, _("You already answered the program survey this half-year. Thank you!"))
            return redirect("home")
        raise Http404
    role = roles[0]
    form = ProgramSurveyForm(request.POST or None, role=role)
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.program_answer(by=request.user, role=role, score=form.cleaned_data["score"])
            except SupportError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Thank you."))
            return redirect("support:program_survey")
        messages.error(request, _("Please choose from 0 to 10."))
    return render(request, "support/program_survey.html", {"form": form, "role": role})
