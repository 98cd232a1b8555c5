"""Report a concern, see your own reports, the MEA inbox, the staff home, emergency guidance.

Report pages send Cache-Control: no-store (never_cache). Every object is read
through Concern.objects.visible_to(user): anything outside it is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from profiles.access import role_required
from profiles.models import Role

from . import selectors, services
from .forms import NoteForm, OutcomeForm, ReasonForm, ReportForm
from .models import Concern, ConcernEvent, Debrief
from .routing import SITUATIONS_BY_KEY, route


def _numbers_context() -> dict:
    return {"program_name": settings.PROGRAM_NAME, "numbers": settings.EMERGENCY_NUMBERS,
            "crisis_line": settings.CRISIS_LINE, "crisis_chat_url": settings.CRISIS_CHAT_URL}


@transaction.non_atomic_requests
@cache_control(public=True, max_age=300)
def emergency(request):
    """Emergency guidance. Touches no database, session or user: it must render
    when everything behind it is down, and without signing in."""
    # Rendered without the request, so no context processor (user, session,
    # notifications) can reach for a service that may be down.
    return HttpResponse(render_to_string("escalations/emergency.html", _numbers_context()))


@never_cache
@login_required
def report(request):
    """The report form. Emergencies show the guidance page before anything is saved;
    the guidance page posts the same answers back with `after_guidance` to save them."""
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = route(data["situations"], data["about"], data["match"])
        if decision.show_emergency_guidance_first and not request.POST.get("after_guidance"):
            return render(request, "escalations/concern_guidance.html", {"form": form, **_numbers_context()})
        try:
            concern = services.concern_raise(
                reporter=request.user, match=data["match"], situations=data["situations"], about=data["about"],
                details=data["details"],
            )
        except services.ConcernError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your report was sent. Thank you for speaking up."))
            return redirect("escalations:my_report", pk=concern.pk)
    return render(request, "escalations/concern_form.html", {"form": form, "has_matches": form.fields["match"].queryset.exists()})


@never_cache
@login_required
def my_reports(request):
    concerns = selectors.reported_by(request.user)
    return render(request, "escalations/concern_list.html", {"concerns": concerns})


@never_cache
@login_required
def my_report(request, pk):
    concern = get_object_or_404(selectors.reported_by(request.user), pk=pk)
    # The reporter's page shows the public lines only, whatever else the reader may handle.
    events = (ConcernEvent.objects.visible_to(request.user).filter(concern=concern, what__in=ConcernEvent.PUBLIC)
              .select_related("actor__profile"))
    crisis = any(SITUATIONS_BY_KEY[s].crisis_line for s in concern.situations if s in SITUATIONS_BY_KEY)
    return render(request, "escalations/concern_detail.html", {
        "concern": concern, "events": events, "show_crisis_line": crisis and concern.status != Concern.Status.RESOLVED,
        "debrief": getattr(concern, "debrief", None), **_numbers_context(),
    })


@never_cache
@login_required
@require_POST
def debrief_answer(request, pk):
    debrief = get_object_or_404(Debrief.objects.visible_to(request.user), pk=pk, person=request.user)
    try:
        services.debrief_respond(debrief, request.user, accept=request.POST.get("answer") == "accept")
    except services.ConcernError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you. We will follow up with you."))
    return redirect("escalations:my_report", pk=debrief.concern_id)


@never_cache
@role_required(Role.MEA)
def inbox(request):
    concerns = selectors.inbox_for(request.user)
    debriefs = Debrief.objects.visible_to(request.user).filter(owner=request.user).exclude(
        status__in=[Debrief.Status.DONE, Debrief.Status.DECLINED]).select_related("person__profile")
    return render(request, "escalations/concern_inbox.html", {"concerns": concerns, "debriefs": debriefs})


def _inbox_concern(request, pk) -> Concern:
    # Only reports routed to this MEA; a report about them is never routed to them.
    return get_object_or_404(selectors.inbox_for(request.user), pk=pk)


@never_cache
@role_required(Role.MEA)
def inbox_detail(request, pk):
    concern = _inbox_concern(request, pk)
    services.concern_record_access(concern, request.user, request.path)
    return render(request, "escalations/concern_handle.html", {
        "concern": concern,
        "events": ConcernEvent.objects.visible_to(request.user).filter(concern=concern).select_related("actor__profile"),
        "can_handle": services.may_handle(concern, request.user),
        "debrief": Debrief.objects.visible_to(request.user).filter(concern=concern, owner=request.user).first(),
        "note_form": NoteForm(), "outcome_form": OutcomeForm(), "reason_form": ReasonForm(),
    })


ACTIONS = {"acknowledge", "start", "note", "resolve", "escalate", "debrief_done"}


def _text(request, form_class) -> str:
    """The one text field of `form_class` as posted, checked (length, no NUL byte); a missing one is "" and
    left to the service to refuse with its own words."""
    form = form_class(request.POST)
    name = next(iter(form.fields))
    if form.is_valid():
        return form.cleaned_data[name]
    if not request.POST.get(name, "").strip():
        return ""
    raise services.ConcernError(form.errors[name][0])


@never_cache
@role_required(Role.MEA)
@require_POST
def inbox_act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    concern = _inbox_concern(request, pk)
    try:
        if action == "acknowledge":
            services.concern_acknowledge(concern, request.user)
        elif action == "start":
            services.concern_start(concern, request.user)
        elif action == "note":
            services.concern_note(concern, request.user, _text(request, NoteForm))
        elif action == "resolve":
            services.concern_resolve(concern, request.user, _text(request, OutcomeForm))
        elif action == "escalate":
            services.concern_escalate(concern, request.user, _text(request, ReasonForm))
        elif action == "debrief_done":
            debrief = get_object_or_404(Debrief.objects.visible_to(request.user), concern=concern, owner=request.user)
            services.debrief_done(debrief, request.user)
    except services.ConcernError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("escalations:inbox_detail", args=[concern.pk]))


@never_cache
@role_required(Role.STAFF)
def staff_home(request):
    return render(request, "escalations/staff_home.html", {"summary": selectors.staff_queue_summary(request.user)})
