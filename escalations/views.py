from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from profiles.access import role_required
from profiles.models import Role


@transaction.non_atomic_requests
@cache_control(public=True, max_age=300)
def emergency(request):
    """Emergency guidance. Touches no database, session or user: it must render
    when everything behind it is down, and without signing in."""
    # Rendered without the request, so no context processor (user, session,
    # notifications) can reach for a service that may be down.
    html = render_to_string(
        "escalations/emergency.html",
        {"program_name": settings.PROGRAM_NAME, "numbers": settings.EMERGENCY_NUMBERS,
         "crisis_line": settings.CRISIS_LINE, "crisis_chat_url": settings.CRISIS_CHAT_URL},
    )
    return HttpResponse(html)


@role_required(Role.STAFF)
def staff_home(request):
    return render(request, "escalations/staff_home.html")


def report(request):  # filled in below
    raise NotImplementedError


my_reports = my_report = debrief_answer = inbox = inbox_detail = inbox_act = report
