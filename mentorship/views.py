from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import health
from .roles import homes_for


def home(request):
    """Send a signed-in person to their main role's page; others see the welcome."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    homes = homes_for(request.user)
    if homes:
        return redirect(homes[0][0])
    return render(request, "home/member.html")


@transaction.non_atomic_requests
@never_cache
def healthz(request):
    """Health for monitoring: database, broker and beat freshness. 200 when all
    are ok, 503 naming the part that is not. No sign-in, no personal data."""
    result, healthy = health.report()
    return JsonResponse(result, status=200 if healthy else 503)
