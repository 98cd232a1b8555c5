from django.conf import settings

from escalations.selectors import open_inbox_count
from profiles.program import program_settings

from .roles import homes_for


def program(request):
    """The program's name and crisis numbers, for the layout's help link."""
    return {
        "PROGRAM_NAME": program_settings().program_name,
        "CRISIS_LINE": settings.CRISIS_LINE,
    }


def navigation(request):
    """Each role's own places in the navigation (lazy: no query unless rendered)."""
    user = getattr(request, "user", None)

    def open_reports() -> int:
        return open_inbox_count(user)

    return {"role_homes": lambda: homes_for(user), "open_reports": open_reports}
