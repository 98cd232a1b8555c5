"""Settings for the test suite: the real settings plus django-zeal, the N+1 detector.

Every request the tests make, through the test client or the browser suite's live
server, runs inside a zeal context (the middleware, first, so it covers every other
middleware too), and so does every Celery task they run (conftest.py): reading a
relation once per row of a list, or the same `.get()` once per row, raises
zeal.NPlusOneError and fails the test. A pattern that is meant is allow-listed in
ZEAL_ALLOWLIST below, or where it happens with `zeal_ignore`, with a comment why.
zeal is a development dependency (requirements-dev.txt): production never loads it.
"""

from mentorship.settings import *  # noqa: F403
from mentorship.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]
ZEAL_RAISE = True
ZEAL_ALLOWLIST = [
    # Django and allauth, not our code: signing in, out and the authenticator step read the
    # session and the person's address more than once in the one request.
    {"model": "sessions.Session", "field": "get()"},
    {"model": "account.EmailAddress", "field": "get()"},
    # Django's sign-in backend reads the signed-in person with .get(); the admin's change
    # page of a person reads that person again with .get(): two reads, not a list.
    {"model": "profiles.User", "field": "get()"},
    # Cached per process (ContentType.objects.get_for_model): each audited model's row is
    # read once, the first time; a request that audits two models reads two rows.
    {"model": "contenttypes.ContentType", "field": "get()"},
    # The admin's bulk actions on reports change each report through the service, with
    # its own row lock, event and notifications: one locked read per selected report.
    {"model": "escalations.Concern", "field": "get()"},
    # Known, to batch (issue 8): cohort assignment creates its proposals one by one through
    # proposal_create, which reads the pair's group (matches/services.py _proposal_group).
    {"model": "profiles.SupportGroup", "field": "get()"},
    # An answer refused for a missing confirmation redraws the proposal page, which reads
    # the proposal again (matches/views.py _proposal): two reads in that request, not a list.
    {"model": "matches.Proposal", "field": "get()"},
]
