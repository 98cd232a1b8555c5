from django.shortcuts import render

from profiles.access import role_required
from profiles.models import Role


@role_required(Role.MENTEE)
def mentee_home(request):
    return render(request, "matches/mentee_home.html")


@role_required(Role.MENTOR)
def mentor_home(request):
    return render(request, "matches/mentor_home.html")


@role_required(Role.COORDINATOR)
def coordinator_home(request):
    return render(request, "matches/coordinator_home.html")
