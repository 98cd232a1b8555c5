"""The site's URLs plus the limit views the pages are measured against.

The bare view goes through every middleware (sessions, CSRF, auth, CSP, ...)
and returns a constant: the best any real page can do on this server. The
layout view renders the site's layout (base.html: the navigation, the
person's unread count and homes) around an empty body: the best any page a
signed-in person sees can do.
"""

from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from mentorship import urls as site_urls

BODY = b"ok\n"
LAYOUT = engines["django"].from_string('{% extends "base.html" %}{% block title %}Layout only{% endblock %}')


@transaction.non_atomic_requests
def bare(request):
    return HttpResponse(BODY, content_type="text/plain")


@transaction.non_atomic_requests
def layout(request):
    return HttpResponse(LAYOUT.render({}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/layout/", layout, name="bench_layout"),
    *site_urls.urlpatterns,
]
