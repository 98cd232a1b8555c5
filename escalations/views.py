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
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from notifications.outage import broker_refused_already
from profiles.access import role_required
from profiles.models import Role

from . import guidance, selectors, services, wording
from .forms import DetailsForm, NoteForm, OutcomeForm, ReasonForm, ReportForm
from .models import Concern, ConcernEvent, Debrief


def _public_context() -> dict:
    return {"program_name": settings.PROGRAM_NAME, **guidance.public_page()}


@transaction.non_atomic_requests
@cache_control(public=True, max_age=300)
def emergency(request):
    """Emergency guidance for every kind of emergency. Touches no database, session or
    user: it must render when everything behind it is down, and without signing in."""
    # Rendered without the request, so no context processor (user, session,
    # notifications) can reach for a service that may be down.
    return HttpResponse(render_to_string("escalations/emergency.html", _public_context()))


def _told(concern: Concern) -> str:
    if concern.escalated_to_staff and concern.routed_to_mea_id:
        return _("Program staff and the MEA")
    return _("Program staff") if concern.escalated_to_staff else _("Your MEA")


# Not one atomic request: the report commits inside concern_raise and its notifications
# are handed to the broker before the message is chosen, so the message says what is true
# (sent, or saved with alerting delayed), never both.
@transaction.non_atomic_requests
@never_cache
@login_required
def report(request):
    """The report form. One submit saves the report, routes it and queues its notifications;
    the answer is the report's page, with the guidance for what was reported."""
    # ?match=<id> (a pulse answer that named a worry links here): the match chosen in advance;
    # the field's choices are the reporter's own matches, so another id selects nothing.
    initial = {"match": request.GET["match"]} if request.GET.get("match", "").isdigit() else None
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                concerns = [services.concern_raise(reporter=request.user, details=data["details"], **part)
                            for part in data["parts"]]
        except services.ConcernError as exc:
            form.add_error(None, str(exc))
        else:
            concern = max(concerns, key=lambda c: (c.tier, c.pk))
            if not broker_refused_already():  # otherwise the outage notice says it, alone
                messages.success(request, _("Your report was sent. %(who)s have it now and are being alerted.")
                                 % {"who": _told(concern)})
            return redirect("escalations:my_report", pk=concern.pk)
    return render(request, "escalations/concern_form.html", {"form": form})


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
    open_ = concern.status != Concern.Status.RESOLVED
    guides = guidance.guidance_for(concern.situations, concern.about, guidance.emergency_numbers(concern.group_id)) \
        if open_ else []
    return render(request, "escalations/concern_detail.html", {
        "concern": concern, "events": events, "guides": guides, "told": _told(concern),
        "program_lines": guidance.program_list() if guides else [],
        "reported": wording.reported_labels(concern.situations, concern.about),
        "debrief": getattr(concern, "debrief", None), "details_form": DetailsForm() if open_ else None,
    })


@never_cache
@login_required
@require_POST
def add_details(request, pk):
    concern = get_object_or_404(selectors.reported_by(request.user), pk=pk)
    form = DetailsForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ConcernError(" ".join(form.errors.get("details", [_("Write the details first.")])))
        services.concern_add_details(concern, request.user, form.cleaned_data["details"])
    except services.ConcernError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Details added. The people handling your report can read them now."))
    return redirect("escalations:my_report", pk=concern.pk)


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
    return redirect("escalations:inbox_detail", pk=concern.pk)
