"""The site's URLs plus the bare Django view used as the throughput limit.

The bare view goes through every middleware (sessions, CSRF, auth, CSP, ...)
and returns a constant: the best any real page can do on this server.
"""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from mentorship import urls as site_urls

BODY = b"ok\n"


@transaction.non_atomic_requests
def bare(request):
    return HttpResponse(BODY, content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urls.urlpatterns]
