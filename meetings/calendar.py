"""Calendar files for meetings, built with the icalendar library (RFC 5545).

One event per meeting, identified by the meeting's UID for its whole life:
an invite (METHOD:REQUEST), each change to it (same UID, SEQUENCE raised) and
its cancellation (METHOD:CANCEL, STATUS:CANCELLED) all name the same event,
so a calendar updates or removes it instead of adding another. The private
feed (no METHOD: a published calendar, not an invitation) lists a person's
meetings the same way.

A calendar event carries when, how long, how and where, and a link to the
match page; never goals, notes or anything said to the MEA.
"""

from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from profiles.program import program_settings

from .models import Meeting

PRODID = "-//Mentorship program//Meetings//EN"

STATUS = {
    Meeting.Status.PROPOSED: "TENTATIVE",
    Meeting.Status.ACCEPTED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _attendee(user) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.display_name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    return address


def meeting_event(meeting: Meeting, *, for_user, now: datetime | None = None) -> Event:
    """The meeting as `for_user` sees it in their calendar (the summary names the other person)."""
    match = meeting.match
    other = match.other_person(for_user) if match.involves(for_user) else None
    event = Event()
    event.add("uid", f"{meeting.uid}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}")
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("sequence", meeting.sequence)
    event.add("status", STATUS[meeting.status])
    event.add("summary", _("Mentoring: %(how)s with %(name)s") % {
        "how": meeting.get_how_display().lower(), "name": other.display_name if other else _("your match")})
    if meeting.where:
        event.add("location", meeting.where)
    event.add("url", settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk]))
    event.add("description", _("Planned in the mentorship portal: %(url)s") % {
        "url": settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])})
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(program_settings().program_name)
    event.add("organizer", organizer)
    for person in (match.mentor, match.mentee):
        event.add("attendee", _attendee(person), encode=0)
    return event


def invite_ics(meeting: Meeting, *, for_user, cancel: bool = False, now: datetime | None = None) -> bytes:
    """The invite (or update) of an accepted meeting, or its cancellation: one event, METHOD REQUEST or CANCEL."""
    cal = _calendar("CANCEL" if cancel else "REQUEST")
    cal.add_component(meeting_event(meeting, for_user=for_user, now=now))
    return cal.to_ical()


def feed_ics(meetings, *, for_user, now: datetime | None = None) -> bytes:
    """A person's private feed: every meeting given, cancelled ones marked so (a calendar removes them)."""
    cal = _calendar()
    cal.add("x-wr-calname", _("Mentoring meetings"))
    now = now or timezone.now()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, for_user=for_user, now=now))
    return cal.to_ical()
