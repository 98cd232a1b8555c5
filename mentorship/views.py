from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .roles import homes_for


def home(request):
    """Send a signed-in person to their main role's page; others see the welcome."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    homes = homes_for(request.user)
    if homes:
        return redirect(homes[0][0])
    return render(request, "home/member.html")


@never_cache
def healthz(request):
    """Liveness for monitoring: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"database": "ok"})
    except Exception:  # noqa: BLE001 - report, do not raise
        return JsonResponse({"database": "down"}, status=503)
