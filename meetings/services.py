"""Writes about meetings and calendar feeds. Each transition locks the meeting row.

Who may do what (the moves themselves are `Meeting.TRANSITIONS`):
  propose          the mentor or the mentee of an active match
  accept           the other side of a proposal (not the one who proposed)
  suggest          either side, while the meeting is open: a new time goes back
                   to the other side to accept
  mark held        either side, once the meeting has started
  cancel           either side, while the meeting is open

Calendar invites go out when a meeting is accepted; after that every change
(a new time, a cancellation) raises the invite's SEQUENCE and goes out as an
update or a METHOD:CANCEL with the same UID (meetings/calendar.py).
"""

import hashlib
import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matches.models import Match
from matches.signals import match_changed
from profiles.acting import acting_for
from profiles.models import User
from profiles.resubmit import resubmitted

from . import notices
from .models import GOALS_OPEN_LIMIT, CalendarFeed, Goal, Meeting

log = logging.getLogger(__name__)


class MeetingError(Exception):
    """A refused change, with a message fit to show the person who asked for it."""


def _check_plan(*, starts_at: datetime, minutes: int, how: str) -> None:
    if starts_at <= timezone.now():
        raise MeetingError(_("Choose a time that has not passed yet."))
    if not 15 <= int(minutes) <= 240:
        raise MeetingError(_("A meeting lasts from 15 minutes to 4 hours."))
    if how not in Meeting.How.values:
        raise MeetingError(_("Choose how you will meet."))


def _zone_name(user: User) -> str:
    profile = getattr(user, "profile", None)
    return profile.time_zone if profile else "UTC"


@transaction.atomic
def meeting_propose(*, match: Match, by: User, starts_at: datetime, minutes: int = 60,
                    how: str = Meeting.How.VIDEO, where: str = "") -> Meeting:
    """The mentor or the mentee proposes a meeting; the other side is told and answers."""
    # Lock the match: it may be ended at this moment, and a meeting of an ended match makes no sense.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can plan its meetings."))
    if not match.is_active:
        raise MeetingError(_("This match has ended."))
    _check_plan(starts_at=starts_at, minutes=minutes, how=how)
    where = (where or "").strip()[:200]
    earlier = resubmitted(f"meeting:{by.pk}", Meeting.objects.filter(
        match=match, proposed_by=by, starts_at=starts_at, minutes=minutes, how=how, where=where))
    if earlier:
        return earlier
    with acting_for(by):
        meeting = Meeting.objects.create(match=match, proposed_by=by, starts_at=starts_at, minutes=minutes, how=how,
                                         where=where, time_zone=_zone_name(by))
    notices.meeting_announce(meeting, "proposed", to=[match.other_person(by)])
    log.info("meeting %s proposed on match %s", meeting.pk, match.pk)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    # Lock the meeting row: both sides may answer, move or cancel it at the same moment.
    return (Meeting.objects.select_for_update(of=("self",))
            .select_related("match__mentor__profile", "match__mentee__profile").get(pk=meeting.pk))


def _save(meeting: Meeting, by: User, fields: list[str]) -> None:
    with acting_for(by):
        meeting.save(update_fields=fields)


@transaction.atomic
def meeting_accept(*, meeting: Meeting, by: User) -> Meeting:
    """The other side accepts the proposed time; both get the calendar invite (or its update)."""
    m = _locked(meeting)
    if not m.match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can answer."))
    if not m.can_move_to(Meeting.Status.ACCEPTED) or not m.awaits_answer_from(by):
        raise MeetingError(_("This meeting is not waiting for your answer."))
    if not m.match.is_active:
        raise MeetingError(_("This match has ended."))
    if m.starts_at <= timezone.now():
        raise MeetingError(_("This time has passed. Suggest another one."))
    kind = "updated" if m.invited else "accepted"
    if m.invited:
        m.sequence += 1
    m.status, m.accepted_at, m.invited = Meeting.Status.ACCEPTED, timezone.now(), True
    _save(m, by, ["status", "accepted_at", "invited", "sequence"])
    notices.meeting_announce(m, kind, to=[m.match.mentor, m.match.mentee], invite=True)
    return m


@transaction.atomic
def meeting_suggest(*, meeting: Meeting, by: User, starts_at: datetime, minutes: int, how: str,
                    where: str = "") -> Meeting:
    """Either side suggests another time (or way) for an open meeting; it waits for the other side again."""
    m = _locked(meeting)
    if not m.match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can move its meetings."))
    if not m.can_move_to(Meeting.Status.PROPOSED):
        raise MeetingError(_("This meeting was already held or cancelled."))
    if not m.match.is_active:
        raise MeetingError(_("This match has ended."))
    _check_plan(starts_at=starts_at, minutes=minutes, how=how)
    m.starts_at, m.minutes, m.how, m.where = starts_at, minutes, how, (where or "").strip()[:200]
    m.status, m.proposed_by, m.time_zone, m.accepted_at = Meeting.Status.PROPOSED, by, _zone_name(by), None
    if m.invited:
        m.sequence += 1  # the calendars that have it show the new time as tentative until it is accepted
    _save(m, by, ["starts_at", "minutes", "how", "where", "status", "proposed_by", "time_zone",
                           "accepted_at", "sequence"])
    if m.invited:
        notices.meeting_announce(m, "moved", to=[m.match.mentor, m.match.mentee], invite=True)
    else:
        notices.meeting_announce(m, "moved", to=[m.match.other_person(by)])
    return m


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: User) -> Meeting:
    m = _locked(meeting)
    if not m.match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can say it was held."))
    if not m.can_move_to(Meeting.Status.HELD):
        raise MeetingError(_("Only a planned meeting can be marked held."))
    if m.starts_at > timezone.now():
        raise MeetingError(_("A meeting can be marked held once it has started."))
    m.status, m.closed_at, m.closed_by = Meeting.Status.HELD, timezone.now(), by
    _save(m, by, ["status", "closed_at", "closed_by"])
    return m


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    """Either side cancels an open meeting; an invite already sent is withdrawn (METHOD:CANCEL, same UID)."""
    m = _locked(meeting)
    if not m.match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can cancel its meetings."))
    if not m.can_move_to(Meeting.Status.CANCELLED):
        raise MeetingError(_("This meeting was already held or cancelled."))
    if m.invited:
        m.sequence += 1
    m.status, m.closed_at, m.closed_by = Meeting.Status.CANCELLED, timezone.now(), by
    _save(m, by, ["status", "closed_at", "closed_by", "sequence"])
    match_changed.send(sender=Meeting, match_ids=[m.match_id])  # cancellations raise the need score
    if m.invited:
        notices.meeting_announce(m, "cancelled", to=[m.match.mentor, m.match.mentee], invite=True)
    else:
        notices.meeting_announce(m, "cancelled", to=[m.match.other_person(by)])
    return m


# --- Private calendar feeds ------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(user: User) -> str:
    """A new private feed for `user` (any earlier one stops working). Returns the secret, shown once."""
    # Lock the person: two "new link" clicks at once must leave one active feed, not fail on the constraint.
    User.objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=user, token_hash=feed_token_hash(token), created_at=now)
    return token


def calendar_feed_revoke(user: User) -> int:
    """Stop `user`'s feed: its URL answers 404 from now on."""
    return CalendarFeed.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def calendar_feed_owner(token: str) -> User | None:
    """The person whose active feed this secret opens, or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.active().filter(token_hash=feed_token_hash(token)).select_related("user").first()
    return feed.user if feed else None


def calendar_feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("meetings:feed", args=[token])


# --- Goals ------------------------------------------------------------------------


@transaction.atomic
def goal_add(*, match: Match, by: User, text: str) -> Goal:
    """The mentor or the mentee writes a goal for the pair (a few at a time)."""
    # Lock the match: two goals added at once must not pass the limit together, nor land on an ended match.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can set its goals."))
    if not match.is_active:
        raise MeetingError(_("This match has ended."))
    text = " ".join((text or "").split())[:300]
    if not text:
        raise MeetingError(_("Write the goal in a few words."))
    earlier = resubmitted(f"goal:{by.pk}", Goal.objects.filter(match=match, written_by=by, text=text))
    if earlier:
        return earlier
    if Goal.objects.filter(match=match, status=Goal.Status.WORKING).count() >= GOALS_OPEN_LIMIT:
        raise MeetingError(_("You have %(n)d goals in progress: reach or rewrite one before adding another.")
                           % {"n": GOALS_OPEN_LIMIT})
    with acting_for(by):
        return Goal.objects.create(match=match, written_by=by, text=text)


@transaction.atomic
def goal_progress(*, goal: Goal, by: User, progress: int, celebration: str = "") -> Goal:
    """Either side marks progress; at 100 the goal is reached and shows under "To celebrate" for the MEA."""
    # Lock the goal: both sides may mark it at once.
    g = Goal.objects.select_for_update(of=("self",)).select_related("match").get(pk=goal.pk)
    if not g.match.involves(by):
        raise MeetingError(_("Only the mentor or the mentee of this match can mark its goals."))
    if progress not in Goal.Progress.values:
        raise MeetingError(_("Choose how far along you are."))
    target = Goal.Status.REACHED if progress == Goal.Progress.REACHED else Goal.Status.WORKING
    if not g.can_move_to(target):
        raise MeetingError(_("This goal was already reached."))
    g.progress, g.status, g.updated_at = progress, target, timezone.now()
    g.celebration = " ".join((celebration or "").split())[:200]
    g.reached_at = g.updated_at if target == Goal.Status.REACHED else None
    with acting_for(by):
        g.save(update_fields=["progress", "status", "updated_at", "celebration", "reached_at"])
    return g
