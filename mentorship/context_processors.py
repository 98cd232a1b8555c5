from django.conf import settings

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
    return {"role_homes": lambda: homes_for(getattr(request, "user", None))}
