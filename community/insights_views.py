from django.http import HttpResponse

from profiles.access import role_required
from profiles.models import Role


# Placeholder while the insights are built (next commit).
@role_required(Role.COORDINATOR, Role.STAFF)
def insights(request):
    return HttpResponse("")


@role_required(Role.COORDINATOR, Role.STAFF)
def insights_csv(request, metric):
    return HttpResponse("", content_type="text/csv")
