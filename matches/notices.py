"""Emails and in-portal notices about matching. Ids and names only: never a
private reason, never a gratitude note (the note is read on the match page).

Each goes through notifications.services.email_queue: the outbox row is written in
the caller's transaction and sent after commit, so a rolled-back change
announces nothing.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import email_queue, notice_create
from profiles.models import User

from .links import link_url
from .models import Match, MentorApplication, Proposal


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


def _send(user: User, template: str, context: dict, key: str, title: str, url: str) -> None:
    email_queue(
        to=user.email,
        user=user,
        template=template,
        context={"person": user, "url": settings.SITE_URL + url, **context},
        dedupe_key=f"{key}:{user.pk}",
        # A signed accept/decline link answers for the person: not kept readable once delivered.
        secret="accept_url" in context,
    )
    notice_create(user, title, url, dedupe_key=f"{key}:{user.pk}")


def _ask_unanswered(proposal: Proposal, template: str, key: str, title: str) -> None:
    """Ask each side that has not accepted yet, with their signed accept and decline links."""
    url = _url("matches:proposal_detail", pk=proposal.pk)
    for side, person in (("mentor", proposal.mentor), ("mentee", proposal.mentee)):
        if proposal.accepted_by(side):
            continue
        other = proposal.mentee if side == "mentor" else proposal.mentor
        links = {f"{action}_url": link_url(proposal_id=proposal.pk, user_id=person.pk, action=action)
                 for action in ("accept", "decline")}
        _send(person, template, {"proposal": proposal, "side": side, "other": other, **links},
              f"proposal:{proposal.pk}:{key}", title, url)


def proposal_sent(proposal: Proposal) -> None:
    _ask_unanswered(proposal, "proposal_new", "new", _("A possible mentorship match is waiting for your answer"))


def proposal_reminded(proposal: Proposal) -> None:
    _ask_unanswered(proposal, "proposal_reminder", "reminder", _("Reminder: a possible match is waiting for your answer"))


def proposal_accepted_by_one(proposal: Proposal, by: User) -> None:
    """Tell the other side that this one said yes, and that it is their turn."""
    other = proposal.other_person(by)
    _send(
        other, "proposal_accepted", {"proposal": proposal, "other": by},
        f"proposal:{proposal.pk}:accepted-by:{by.pk}", _("Your possible match said yes"),
        _url("matches:proposal_detail", pk=proposal.pk),
    )


def proposal_declined(proposal: Proposal, by: User) -> None:
    """Gentle: a mentee only hears that the mentor may already be committed."""
    other = proposal.other_person(by)
    side = "mentee" if other.pk == proposal.mentee_id else "mentor"
    _send(
        other, "proposal_declined", {"proposal": proposal, "side": side},
        f"proposal:{proposal.pk}:declined", _("About your possible mentorship match"),
        _url("matches:proposal_detail", pk=proposal.pk),
    )


def proposal_expired(proposal: Proposal) -> None:
    for person in (proposal.mentor, proposal.mentee):
        _send(
            person, "proposal_expired", {"proposal": proposal},
            f"proposal:{proposal.pk}:expired", _("A possible match has expired"),
            _url("matches:proposal_detail", pk=proposal.pk),
        )


def match_started(match: Match) -> None:
    url = _url("matches:match_detail", pk=match.pk)
    for person in (match.mentor, match.mentee):
        _send(
            person, "match_started", {"match": match, "other": match.other_person(person)},
            f"match:{match.pk}:started", _("Your mentorship match has started"), url,
        )
    if match.mea_id:
        notice_create(match.mea, _("A new match was assigned to you"), url, dedupe_key=f"match:{match.pk}:mea:{match.mea_id}")


def match_ended(match: Match, by: User) -> None:
    url = _url("matches:match_detail", pk=match.pk)
    other = match.other_person(by)
    _send(
        other, "match_ended", {"match": match, "other": by, "has_note": bool(match.gratitude_note)},
        f"match:{match.pk}:ended", _("Your mentorship match has ended"), url,
    )
    # The MEA is asked to debrief both sides; with no MEA, the group's coordinators.
    debriefers = [match.mea] if match.mea_id else User.objects.coordinators_of(match.group_id)
    for person in debriefers:
        _send(
            person, "match_debrief", {"match": match},
            f"match:{match.pk}:debrief", _("A match ended: please debrief both sides"), url,
        )


def application_submitted(application: MentorApplication) -> None:
    url = _url("matches:coordinator_home")
    for person in User.objects.coordinators_of(application.group_id):
        notice_create(person, _("A new mentor application is waiting for review"), url,
               dedupe_key=f"application:{application.pk}:new:{person.pk}")


def application_decided(application: MentorApplication) -> None:
    _send(
        application.applicant, "mentor_application_decided", {"application": application},
        f"application:{application.pk}:decided", _("Your mentor application was reviewed"),
        _url("matches:mentor_apply"),
    )


def mentee_waiting(mentee: User, group_id: int, since_key: str) -> None:
    """Bring a mentee who has waited long to their group's coordinators."""
    url = _url("matches:suggestions", mentee_id=mentee.pk)
    for person in User.objects.coordinators_of(group_id):
        _send(
            person, "match_unmatched_nudge", {"mentee": mentee},
            f"unmatched:{mentee.pk}:{since_key}", _("A mentee is still waiting for a mentor"), url,
        )
