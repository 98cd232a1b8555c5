from django.shortcuts import render

from profiles.access import role_required
from profiles.models import Role


@role_required(Role.MEA)
def mea_home(request):
    return render(request, "support/mea_home.html")
