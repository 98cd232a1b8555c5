"""Name who a change is made for, when no request says it (a Celery task, a command, a test).

Every change to a tracked model is recorded by a Postgres trigger (django-pghistory,
see audit/ and docs/AUDIT.md) with the context of the moment: in a request, the
signed-in person and the URL (audit.middleware.HistoryMiddleware). A service that
acts for someone names them, for when it runs outside a request:

    with acting_for(by):
        match.save(...)

The first one to name someone wins: inside a request, or inside an outer
`acting_for`, the inner one changes nothing (a coordinator removing a member ends
the member's match "by" the member, but the history says the coordinator did it).
"""

import contextvars
from contextlib import contextmanager, nullcontext

import pghistory

_named: contextvars.ContextVar = contextvars.ContextVar("history_actor_named", default=False)


@contextmanager
def actor_named():
    """Inside: someone is already named (the request's person); `acting_for` does nothing."""
    token = _named.set(True)
    try:
        yield
    finally:
        _named.reset(token)


@contextmanager
def _acting(user_id, more):
    with actor_named(), pghistory.context(user=user_id, **more):
        yield


def acting_for(user, **more):
    """Record the changes inside as made by `user` (unless someone is named already).

    `more` adds to the context (e.g. task="…"). Nothing is named when `user` is None.
    """
    if _named.get() or user is None or not getattr(user, "pk", None):
        return nullcontext()
    return _acting(user.pk, more)
