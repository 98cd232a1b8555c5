"""Which page is each role's home. The project package is the one place that
knows every app, so the map from roles to their apps' pages lives here."""

from django.utils.translation import gettext_lazy as _

from profiles.models import ROLE_PRIORITY, Role

ROLE_HOMES = {
    Role.STAFF: ("escalations:staff_home", _("Staff")),
    Role.COORDINATOR: ("matches:coordinator_home", _("Coordinator")),
    Role.MEA: ("support:mea_home", _("MEA dashboard")),
    Role.MENTOR: ("matches:mentor_home", _("Mentor")),
    Role.MENTEE: ("matches:mentee_home", _("Mentee")),
}


def homes_for(user) -> list[tuple[str, str]]:
    """(url name, label) for each role the user holds, most responsibility first."""
    held = user.roles if getattr(user, "is_authenticated", False) else set()
    return [ROLE_HOMES[role] for role in ROLE_PRIORITY if role in held]
