from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy

from escalations import urls as escalations_urls
from escalations.views import emergency
from matches import urls as matches_urls
from profiles.program import program_settings

from . import homes, views

# The admin signs in through allauth (same login, same MFA, same throttling).
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
# Read when a page renders (lazy), so the program's name is always today's setting.
admin.site.site_header = lazy(lambda: f"{program_settings().program_name} — staff console", str)()
admin.site.site_title = lazy(lambda: f"{program_settings().program_name} staff", str)()
# The queue's columns need the whole width at 1280 px; the home page lists every model (issue 19).
admin.site.enable_nav_sidebar = False

# Pages composed from several apps (homes.py) keep the URL names of the app they mostly show.
matches_pages = [
    path("mentee/", homes.mentee_home, name="mentee_home"),
    path("mentor/", homes.mentor_home, name="mentor_home"),
    path("coordinator/", homes.coordinator_home, name="coordinator_home"),
    path("match/<int:pk>/", homes.match_detail, name="match_detail"),
]
escalations_pages = [
    path("staff/", homes.staff_home, name="staff_home"),
]

urlpatterns = [
    path("", views.home, name="home"),
    # Emergency guidance: no login, no database; linked from every page.
    path("help/", emergency, name="emergency"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("profile/notifications/", include("notifications.urls")),
    path("profile/privacy/", include("privacy.urls")),
    path("profile/", include("profiles.urls")),
    path("people/", include("profiles.joining_urls")),
    path("matches/", include((matches_pages + matches_urls.urlpatterns, "matches"))),
    path("meetings/", include("meetings.urls")),
    path("concerns/", include((escalations_pages + escalations_urls.urlpatterns, "escalations"))),
    path("support/", include("support.urls")),
    path("community/", include("community.urls")),
    path("admin/", admin.site.urls),
]
# Errors use Django's own handlers: they render templates/403.html, 404.html and 500.html
# (the 500 page with no context processors and no database, so it works while they are broken).
