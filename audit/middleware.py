import pghistory.middleware

from profiles.acting import actor_named


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """django-pghistory's middleware: every change made while serving a request is recorded
    with the signed-in person's id and the URL. The request's person stays the one named:
    a service inside it that names who it acts for (`profiles.acting.acting_for`) does not
    re-attribute the rest of the request."""

    def __call__(self, request):
        with actor_named():
            return super().__call__(request)
