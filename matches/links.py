"""Signed accept/decline links for proposal emails: they expire, and each works once.

The token carries the proposal, the person and the action, signed with the
project's secret (TimestampSigner). A random nonce is recorded in UsedLink the
moment the link is used, in the same transaction as the answer: a rolled-back
answer leaves the link usable, a second use finds the nonce and is refused.
Opening the link (GET) only shows a confirmation page, so mail scanners that
prefetch links change nothing.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from profiles.program import program_settings

from .errors import MatchingError
from .models import UsedLink

SALT = "matches.proposal-link"
ACTIONS = {"accept", "decline"}


@dataclass(frozen=True)
class LinkClaim:
    proposal_id: int
    user_id: int
    action: str
    nonce: str


def link_max_age() -> int:
    """Seconds a link stays valid: as long as the proposal is open at most."""
    return int(program_settings().proposal_expire_after * 3600)


def link_make(*, proposal_id: int, user_id: int, action: str) -> str:
    assert action in ACTIONS
    payload = {"p": proposal_id, "u": user_id, "a": action, "n": secrets.token_urlsafe(16)}
    return signing.TimestampSigner(salt=SALT).sign_object(payload)


def link_url(*, proposal_id: int, user_id: int, action: str) -> str:
    token = link_make(proposal_id=proposal_id, user_id=user_id, action=action)
    return settings.SITE_URL + reverse("matches:proposal_link", kwargs={"token": token})


def link_read(token: str) -> LinkClaim:
    """The claim in a token, or a MatchingError when it is forged, expired or used."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise MatchingError(_("This link has expired. Sign in to answer from your portal.")) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise MatchingError(_("This link is not valid.")) from exc
    try:
        claim = LinkClaim(int(data["p"]), int(data["u"]), str(data["a"]), str(data["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise MatchingError(_("This link is not valid.")) from exc
    if claim.action not in ACTIONS:
        raise MatchingError(_("This link is not valid."))
    if UsedLink.objects.filter(nonce=claim.nonce).exists():
        raise MatchingError(_("This link was already used."))
    return claim


def link_consume(claim: LinkClaim) -> None:
    """Record the use; the unique nonce makes a second, concurrent use fail."""
    try:
        # A savepoint: a duplicate must not break the caller's transaction.
        with transaction.atomic():
            UsedLink.objects.create(nonce=claim.nonce)
    except IntegrityError as exc:
        raise MatchingError(_("This link was already used.")) from exc
