"""Telling the pair about their meetings: a portal notice and an email, through the shared outbox.

Each message is queued in the caller's transaction with a dedupe key of
(meeting, what happened, invite sequence, person), so a retried request never
announces the same change twice, and a rolled-back change announces nothing.
Emails say that a meeting was planned, moved or cancelled and when (in the
recipient's own time zone); an accepted meeting's email links its calendar
file (.ics, the same UID for its whole life).
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from notifications.services import email_queue, notice_create
from profiles.models import User

from . import calendar
from .models import Meeting


def when_for(meeting: Meeting, user: User) -> str:
    """The meeting's start in `user`'s own time zone, e.g. "Dec. 9, 2026, 6 p.m. (Europe/Paris)"."""
    profile = getattr(user, "profile", None)
    zone = profile.zone if profile else timezone.get_current_timezone()
    local = timezone.localtime(meeting.starts_at, zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone.key})"


def _title(kind: str, meeting: Meeting, user: User) -> str:
    when = when_for(meeting, user)
    other = meeting.match.other_person(user).display_name
    return {
        "proposed": _("%(name)s proposed a meeting on %(when)s"),
        "accepted": _("Your meeting with %(name)s on %(when)s is planned"),
        "updated": _("Your meeting with %(name)s is now on %(when)s"),
        "moved": _("A new time was suggested for your meeting with %(name)s: %(when)s"),
        "cancelled": _("Your meeting with %(name)s on %(when)s was cancelled"),
        "reminder": _("Reminder: your meeting with %(name)s is tomorrow, %(when)s"),
    }[kind] % {"name": other, "when": when}


def meeting_announce(meeting: Meeting, kind: str, *, to: list[User], invite: bool = False) -> None:
    """A notice and an email to each of `to` about `meeting` (`kind`: proposed, accepted, updated, moved, cancelled)."""
    path = reverse("meetings:detail", args=[meeting.pk])
    for person in to:
        key = f"meeting:{meeting.pk}:{kind}:{meeting.sequence}:{person.pk}"
        title = _title(kind, meeting, person)
        notice_create(person, title, path, dedupe_key=key)
        # Accepted, moved or cancelled after an invite: the .ics goes along (the same UID, SEQUENCE as now).
        email_queue(to=person.email, template="meeting", dedupe_key=key, context={
            "title": title, "path": path,
            "ics_path": reverse("meetings:ics", args=[meeting.pk]) if invite else "",
        }, ics=calendar.invite_ics(meeting, for_user=person, cancel=kind == "cancelled").decode() if invite else "")
