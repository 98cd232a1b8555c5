"""Show every time in the reader's own time zone (issue 19).

The zone is the person's profile setting. It is read once, when they sign in,
and kept in the session, so a page costs no query for it; the profile form
updates it. Emails are rendered in the recipient's zone (`zone_for_email`), or the program's
for an address with no account.
"""

import zoneinfo

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils import timezone

from .models import Profile
from .program import program_settings

SESSION_KEY = "time_zone"


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def remember_zone(request, name: str | None) -> None:
    if hasattr(request, "session") and zone_named(name):
        request.session[SESSION_KEY] = name


@receiver(user_logged_in, dispatch_uid="profiles.timezones.remember")
def _remember_on_login(sender, request, user, **kwargs):
    if request is not None:
        remember_zone(request, Profile.objects.filter(user=user).values_list("time_zone", flat=True).first())


def zone_for_email(address: str) -> zoneinfo.ZoneInfo | None:
    """The time zone of the person an email goes to: their profile's, else the program's (an address with no
    account: an invitee, the staff inbox)."""
    name = Profile.objects.filter(user__email__iexact=address).values_list("time_zone", flat=True).first()
    return zone_named(name) or zone_named(program_settings().time_zone)


class UserTimeZoneMiddleware:
    """Activates the reader's zone for the view, except on the pages that must render with
    the database down and so never touch the session (the emergency guidance, health)."""

    # URL names, not prefixes: only these pages may skip the reader's zone.
    SESSIONLESS_VIEW_NAMES = frozenset({"emergency", "healthz"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in self.SESSIONLESS_VIEW_NAMES:
            return None
        # Only a visitor with a session cookie has a zone to read.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        try:
            zone = self._zone(request)
        except DatabaseError:
            zone = None
        if zone is not None:
            timezone.activate(zone)
        return None

    @staticmethod
    def _zone(request) -> zoneinfo.ZoneInfo | None:
        name = request.session.get(SESSION_KEY)
        if name is None and request.user.is_authenticated:
            # A session from before sign-in remembered the zone: read it once.
            name = Profile.objects.filter(user=request.user).values_list("time_zone", flat=True).first()
            remember_zone(request, name)
        return zone_named(name)
