"""Telling people what will happen when the broker (Redis) is down.

The enqueue helpers (profiles.services, escalations.notifications) never fail a
request when the broker is unreachable: the outbox row is already saved and a
beat drain sends it once the broker is back. They call `left_for_later(kind)`;
during a request, `BrokerOutageNoticeMiddleware` then adds ONE Django messages
notice saying that the change is saved and the notifications are delayed, so
nobody believes an email went out, or that a report's handlers were alerted,
when they were not yet. Outside a request (a worker, beat) it does nothing.
"""

from contextvars import ContextVar

from django.contrib import messages
from django.utils.translation import gettext as _

# The kinds of work left for the drains during the current request (None outside one).
_left: ContextVar[set[str] | None] = ContextVar("left_for_later", default=None)

REPORT = "report"
EMAIL = "email"


def left_for_later(kind: str) -> None:
    """Record that the broker refused work of `kind` (REPORT or EMAIL) in this request."""
    kinds = _left.get()
    if kinds is not None:
        kinds.add(kind)


def broker_refused_already() -> bool:
    """True when the broker refused work earlier in this request. Each refused
    attempt costs the request a connection retry (about half a second): after the
    first, the rest is left for the drains at once, so a request that queues a
    hundred emails with Redis down does not wait a hundred times."""
    return bool(_left.get())


def notice(kinds: set[str]) -> str:
    if REPORT in kinds:
        return _(
            "Your report is saved, but the people who handle reports could not be alerted just now. "
            "They will be alerted automatically within a few minutes. If someone is in danger now, "
            "open Emergency guidance at the bottom of this page."
        )
    return _(
        "Saved. Our email service is not answering just now, so the emails about this will go out "
        "automatically within a few minutes. Notices inside the portal are already there."
    )


class BrokerOutageNoticeMiddleware:
    """Adds the notice when work was left for the drains. Placed after
    MessageMiddleware, so the notice is stored with the response (a POST's
    redirect shows it on the next page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _left.set(set())
        try:
            response = self.get_response(request)
            kinds = _left.get()
        finally:
            _left.reset(token)
        if kinds:
            messages.warning(request, notice(kinds), fail_silently=True)
        return response
