"""Thin views: each reads through `visible_to`, calls one service and shows its error as a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalations.selectors import reported_by
from matches.models import Match
from matches.selectors import suggest_mea
from profiles.access import role_required
from profiles.models import Role

from . import selectors, services, surveys
from .forms import AskForm, CheckInForm, MEAAssignForm, MEAProfileForm, MilestoneForm, SelfCheckInForm
from .models import CheckIn, CheckInRequest, MEAProfile, Milestone, Survey
from .next_steps import for_mea
from .services import SupportError


@transaction.non_atomic_requests  # reads only: no transaction to open and commit
@role_required(Role.MEA)
def mea_home(request):
    mine = Match.objects.supported_by(request.user)
    page = selectors.dashboard_page(mine, request.user, page=request.GET.get("page"))
    step = for_mea(request.user, page.rows)
    return render(request, "support/mea_home.html", {
        "next_step": step,
        "open_reports": step.open_reports,  # the navigation's count, read with the next step
        "page": page,
        "rows": page.rows,
        "celebrations": selectors.celebrations(request.user, as_mea=True),
        "today": timezone.localdate(),
    })


@role_required(Role.MEA)
def mea_profile_edit(request):
    # Not get_or_create: a refused form must not leave an empty contact row behind.
    profile = MEAProfile.objects.filter(user=request.user).first() or MEAProfile(user=request.user)
    form = MEAProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved. Your mentors and mentees see this on their match page."))
            return redirect("support:mea_home")
        messages.error(request, _("Please correct the highlighted fields."))
    return render(request, "support/meaprofile_form.html", {"form": form})


@role_required(Role.COORDINATOR)
def coordinator_dashboard(request):
    theirs = Match.objects.coordinated_by(request.user)
    page = selectors.dashboard_page(theirs, request.user, page=request.GET.get("page"), for_coordinator=True,
                                     per_page=selectors.COORDINATOR_PAGE_SIZE)
    return render(request, "support/coordinator_dashboard.html", {
        "page": page,
        "rows": page.rows,
        "celebrations": selectors.celebrations(request.user, as_mea=False),
        "today": timezone.localdate(),
    })


@role_required(Role.STAFF)
def compliance(request):
    return render(request, "support/compliance.html", {"rows": selectors.compliance_by_mea()})


def _match(request, pk) -> Match:
    return get_object_or_404(
        Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile", "mea__profile", "group"),
        pk=pk,
    )


def _own_active_match(request, pk) -> Match:
    """A match the signed-in person supports as MEA, still active; 404 otherwise."""
    match = _match(request, pk)
    if match.mea_id != request.user.pk or not match.is_active:
        raise Http404
    return match


@login_required
def match_detail(request, pk):
    match = _match(request, pk)
    user = request.user
    is_mea = match.mea_id == user.pk
    ctx = {
        "match": match,
        "is_mea": is_mea,
        "today": timezone.localdate(),
        "mea_profile": MEAProfile.objects.visible_to(user).filter(user_id=match.mea_id).first() if match.mea_id else None,
        "milestones": Milestone.objects.visible_to(user).filter(match=match).select_related("recorded_by__profile"),
        "milestone_form": MilestoneForm() if services.can_record_milestone(user, match) and match.is_active else None,
        "my_requests": CheckInRequest.objects.visible_to(user).filter(
            match=match, respondent=user, status=CheckInRequest.Status.PENDING
        ),
    }
    if is_mea or user.is_program_staff or match.group_id in user.coordinated_group_ids:
        ctx["support"] = services.support_for(match) if match.is_active else None
        ctx["meetings_lately"] = selectors.meetings_lately(match, user)
    if match.involves(user):
        if match.is_active:
            ctx["pulse_open"] = not surveys.pulse_answered(match, user, surveys.pulse_occurrence(match))
        else:
            ctx["closing_open"] = not Survey.objects.visible_to(user).filter(
                kind=Survey.Kind.CLOSING, match=match, respondent=user).exists()
    if is_mea:
        ctx["checkins"] = CheckIn.objects.visible_to(user).filter(match=match)
        ctx["requests"] = CheckInRequest.objects.visible_to(user).filter(match=match).select_related("respondent__profile")
        ctx["ask_form"] = AskForm()
        ctx["voices"] = Survey.objects.visible_to(user).filter(match=match).select_related("respondent__profile")[:10]
    if services.can_assign_mea(user, match) and match.is_active:
        candidates = services.mea_candidates(match.group_id)
        suggestion = suggest_mea(match.group_id)
        ctx["assign_form"] = MEAAssignForm(
            candidates=candidates, loads=services.mea_caseloads(candidates.values_list("pk", flat=True)),
            initial={"mea": match.mea_id or (suggestion.pk if suggestion else None)},
        )
        ctx["suggestion"] = suggestion
    return render(request, "support/match_detail.html", ctx)


@login_required
@require_POST
def assign_mea(request, pk):
    match = _match(request, pk)
    if not services.can_assign_mea(request.user, match):
        raise Http404
    candidates = services.mea_candidates(match.group_id)
    form = MEAAssignForm(request.POST, candidates=candidates, loads={})
    if form.is_valid():
        try:
            services.match_mea_assign(match=match, mea=form.cleaned_data["mea"], by=request.user)
            messages.success(request, _("The MEA is set."))
        except SupportError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose one of the group's MEAs."))
    return redirect("support:match_detail", pk=match.pk)


def _guidance_for_latest_report(request):
    """The report a check-in just opened, on its own page: the guidance for what was named,
    and the messages of this request (saved, and whether alerting is delayed)."""
    concern = reported_by(request.user).filter(source="checkin").first()
    return redirect("escalations:my_report", pk=concern.pk) if concern else redirect("emergency")


@login_required
def checkin_create(request, pk):
    match = _own_active_match(request, pk)
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.checkin_record(match=match, mea=request.user, **data)
            except SupportError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Check-in saved. The next one is due on %(date)s.") % {
                    "date": services.support_for(match).next_due
                })
                if services.needs_emergency_guidance(data.get("situations")):
                    return _guidance_for_latest_report(request)
                return redirect("support:match_detail", pk=match.pk)
        else:
            messages.error(request, _("Please correct the highlighted fields."))
    return render(request, "support/checkin_form.html", {"match": match, "form": form})


@login_required
@require_POST
def request_create(request, pk):
    match = _own_active_match(request, pk)
    form = AskForm(request.POST)
    if form.is_valid():
        respondent = match.mentor if form.cleaned_data["respondent"] == "mentor" else match.mentee
        try:
            services.checkin_request_create(match=match, by=request.user, respondent=respondent)
            messages.success(request, _("Asked. They will get a reminder at a sensible hour where they live."))
        except SupportError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose whom to ask."))
    return redirect("support:match_detail", pk=match.pk)


@login_required
def request_answer(request, pk):
    req = get_object_or_404(
        CheckInRequest.objects.visible_to(request.user).select_related("match__mea__profile"),
        pk=pk, respondent=request.user, status=CheckInRequest.Status.PENDING,
    )
    form = SelfCheckInForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.checkin_request_answer(request=req, by=request.user, **data)
            except SupportError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Thank you. Your answer went to your MEA only."))
                if services.needs_emergency_guidance(data.get("situations")):
                    return _guidance_for_latest_report(request)
                return redirect("support:match_detail", pk=req.match_id)
        else:
            messages.error(request, _("Please correct the highlighted fields."))
    return render(request, "support/checkinrequest_answer.html", {"req": req, "form": form})


@login_required
def request_detail(request, pk):
    req = get_object_or_404(
        CheckInRequest.objects.visible_to(request.user).select_related("match", "respondent__profile"),
        pk=pk, match__mea=request.user,
    )
    services.checkin_request_mark_read(req, request.user)
    return render(request, "support/checkinrequest_detail.html", {"req": req})


@login_required
@require_POST
def request_withdraw(request, pk):
    req = get_object_or_404(CheckInRequest.objects.visible_to(request.user), pk=pk, match__mea=request.user)
    try:
        services.checkin_request_withdraw(request=req, by=request.user)
        messages.success(request, _("Request withdrawn."))
    except SupportError as exc:
        messages.error(request, str(exc))
    return redirect("support:match_detail", pk=req.match_id)


@login_required
@require_POST
def milestone_create(request, pk):
    match = _match(request, pk)
    if not services.can_record_milestone(request.user, match):
        raise Http404
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_record(match=match, by=request.user, what=form.cleaned_data["what"],
                                      happened_on=form.cleaned_data["happened_on"])
            messages.success(request, _("Milestone added. Well done!"))
        except SupportError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Say what happened and when."))
    return redirect("support:match_detail", pk=match.pk)
