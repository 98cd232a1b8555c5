"""The members' own voice: pulse, closing and program surveys (writes and the one-click pulse link).

A pulse goes to the mentor and the mentee of each active match once per
check-in period (the reminder beat sends it with the period's due date as its
occurrence). The answer (1-5 and one optional sentence) is for the match's MEA
and feeds the dashboard's need ranking: `MatchSupport.pulse_last` and
`pulse_prev` are updated in the same transaction, so a falling pulse raises the
match (support/selectors.py). A closing survey is asked when a match ends; the
program survey (would you recommend it, 0-10) twice a year, by role.

The one-click link in the pulse email is signed (TimestampSigner), expires
after PULSE_LINK_DAYS, and works once: the answer row's unique key (kind,
match, respondent, occurrence) is the single use. Opening it (GET) only shows
the form, so mail scanners that prefetch links answer nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matches.models import Match
from notifications.services import notice_create
from profiles.models import Role, User

from .models import MatchSupport, Survey
from .need import need_score_refresh
from .services import SupportError, support_for

SALT = "support.pulse-link"
PULSE_LINK_DAYS = 14


@dataclass(frozen=True)
class PulseClaim:
    match_id: int
    user_id: int
    occurrence: date


def pulse_link_make(*, match_id: int, user_id: int, occurrence: date) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"m": match_id, "u": user_id, "o": occurrence.isoformat()})


def pulse_link_path(*, match_id: int, user_id: int, occurrence: date) -> str:
    return reverse("support:pulse_link", args=[pulse_link_make(match_id=match_id, user_id=user_id, occurrence=occurrence)])


def pulse_link_read(token: str) -> PulseClaim:
    """The claim in a pulse link, or a SupportError when it is forged or expired."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=PULSE_LINK_DAYS * 86400)
        return PulseClaim(int(data["m"]), int(data["u"]), date.fromisoformat(str(data["o"])))
    except signing.SignatureExpired as exc:
        raise SupportError(_("This link has expired. Sign in to tell your MEA how it is going.")) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise SupportError(_("This link is not valid.")) from exc


def pulse_occurrence(match: Match) -> date:
    """The check-in period a pulse answered now belongs to: the match's next check-in due date."""
    return support_for(match).next_due


def pulse_answered(match: Match, user: User, occurrence: date) -> bool:
    return Survey.objects.filter(kind=Survey.Kind.PULSE, match=match, respondent=user, occurrence=occurrence).exists()


def _create_once(**fields) -> Survey:
    try:
        # A savepoint: an answer given twice (two tabs, a reused link) must not break the transaction.
        with transaction.atomic():
            return Survey.objects.create(**fields)
    except IntegrityError as exc:
        raise SupportError(_("You already answered this one. Thank you!")) from exc


@transaction.atomic
def pulse_answer(*, match: Match, by: User, occurrence: date, score: int, comment: str = "",
                 worried: bool = False) -> Survey:
    """The mentor or the mentee says how it is going; the MEA hears, and the need ranking moves with it."""
    support_for(match)
    # Lock the support row: the mentor and the mentee answering at once must both move pulse_prev/pulse_last.
    support = MatchSupport.objects.select_for_update(of=("self",)).select_related("match").get(pk=match.pk)
    match = support.match
    if not match.involves(by):
        raise SupportError(_("Only the mentor or the mentee of this match can answer."))
    if not match.is_active:
        raise SupportError(_("This match has ended."))
    if not 1 <= int(score) <= 5:
        raise SupportError(_("Choose from 1 to 5."))
    survey = _create_once(kind=Survey.Kind.PULSE, match=match, respondent=by, occurrence=occurrence, score=score,
                          comment=" ".join((comment or "").split())[:300], worried=worried,
                          role=Role.MENTOR if by.pk == match.mentor_id else Role.MENTEE)
    support.pulse_prev, support.pulse_last = support.pulse_last, score
    support.save(update_fields=["pulse_prev", "pulse_last"])
    need_score_refresh([match.pk])  # a falling pulse raises the match on the MEA dashboard
    if match.mea_id:
        notice_create(match.mea, _("A member of one of your matches said how it is going."),
               reverse("support:match_detail", args=[match.pk]), dedupe_key=f"pulse-answered:{survey.pk}")
    return survey


@transaction.atomic
def closing_answer(*, match: Match, by: User, score: int, comment: str = "") -> Survey:
    """After a match ends, each side says how it was (once)."""
    if not match.involves(by):
        raise SupportError(_("Only the mentor or the mentee of this match can answer."))
    if match.is_active or match.ended_at is None:
        raise SupportError(_("This survey opens when the match ends."))
    if not 1 <= int(score) <= 5:
        raise SupportError(_("Choose from 1 to 5."))
    return _create_once(kind=Survey.Kind.CLOSING, match=match, respondent=by, score=score,
                        occurrence=timezone.localdate(match.ended_at), comment=" ".join((comment or "").split())[:300],
                        role=Role.MENTOR if by.pk == match.mentor_id else Role.MENTEE)


def half_year(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return date(today.year, 1 if today.month <= 6 else 7, 1)


def program_roles(user: User) -> list[str]:
    """The roles a person answers the program survey for (being mentored, mentoring) not yet answered this half-year."""
    held = [r for r in (Role.MENTEE, Role.MENTOR) if user.has_role(r)]
    done = set(Survey.objects.filter(kind=Survey.Kind.PROGRAM, respondent=user, occurrence=half_year())
               .values_list("role", flat=True))
    return [r for r in held if r not in done]


def program_answer(*, by: User, role: str, score: int) -> Survey:
    """Would you recommend being mentored (mentee) / mentoring (mentor) here, 0-10; once per role and half-year."""
    if role not in (Role.MENTEE, Role.MENTOR) or not by.has_role(role):
        raise SupportError(_("This survey is for mentors and mentees."))
    if not 0 <= int(score) <= 10:
        raise SupportError(_("Choose from 0 to 10."))
    with transaction.atomic():
        return _create_once(kind=Survey.Kind.PROGRAM, match=None, respondent=by, role=role, score=score,
                            occurrence=half_year())


def report_url(match_id: int) -> str:
    return f"{reverse('escalations:report')}?match={match_id}"


def site(path: str) -> str:
    return settings.SITE_URL + path
