from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from matches.models import MentorApplication
from profiles.joining import JoinRequest
from profiles.joining_services import orientation_missing
from profiles.models import Membership, Profile

from . import health
from .roles import homes_for


def home(request):
    """Send a signed-in person to their main role's page; others see the welcome."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    homes = homes_for(request.user)
    if homes:
        return redirect(homes[0][0])
    return render(request, "home/member.html", {"steps": member_next_steps(request.user)})


def member_next_steps(user) -> list[dict]:
    """What a signed-in member with no role yet does next, in order; only steps not done yet.

    The project package knows every app, so it can read joining (profiles),
    orientation (profiles) and the mentor application (matches) together.
    """
    steps = []
    profile_done = Profile.objects.filter(user=user).exclude(display_name="").exists()
    in_a_group = Membership.objects.filter(user=user).exists()
    if not in_a_group:
        pending = JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).select_related("group").first()
        if pending:
            steps.append({"text": _("Your request to join %(group)s is waiting for a coordinator; you will be told "
                                    "here and by email.") % {"group": pending.group.name},
                          "url": reverse("people:join"), "label": _("Your requests")})
        else:
            steps.append({"text": _("Ask to join your support group, or enter the code your coordinator gave you."),
                          "url": reverse("people:join"), "label": _("Join a group")})
    if not profile_done:
        steps.append({"text": _("Tell others a little about you: a name to show, how you like to connect."),
                      "url": reverse("profiles:edit"), "label": _("Complete your profile")})
    if not in_a_group:
        return steps
    application = MentorApplication.objects.filter(applicant=user).order_by("-created_at").first()
    if application and application.status == MentorApplication.Status.PENDING:
        steps.append({"text": _("Your application to mentor is waiting for a coordinator's review."),
                      "url": reverse("matches:mentor_apply"), "label": _("Your application")})
        return steps
    if orientation_missing(user, "mentor"):
        steps.append({"text": _("Mentors complete a short orientation before their first match."),
                      "url": reverse("people:orientation") + "?for=mentor", "label": _("Start the orientation")})
    steps.append({"text": _("Apply to mentor, or ask a coordinator of your group to find you a mentor."),
                  "url": reverse("matches:mentor_apply"), "label": _("Apply to mentor")})
    return steps


@transaction.non_atomic_requests
@never_cache
def healthz(request):
    """Health for monitoring: database, broker and beat freshness. 200 when all
    are ok, 503 naming the part that is not. No sign-in, no personal data."""
    result, healthy = health.report()
    return JsonResponse(result, status=200 if healthy else 503)
