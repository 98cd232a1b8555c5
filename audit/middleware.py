import pghistory.middleware
from pghistory import config

from profiles.acting import actor_named


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """django-pghistory's middleware: every change made while serving a request is recorded
    with the signed-in person's id and the URL. The request's person stays the one named:
    a service inside it that names who it acts for (`profiles.acting.acting_for`) does not
    re-attribute the rest of the request.

    Only the methods that change things (settings.PGHISTORY_MIDDLEWARE_METHODS): a GET
    reads neither the session nor the user for the history (the emergency page must work
    with the database gone), and a GET that records something (an answer marked read)
    names its reader through the service (`acting_for`)."""

    def __call__(self, request):
        if request.method not in config.middleware_methods():
            return self.get_response(request)
        with actor_named():
            return super().__call__(request)
