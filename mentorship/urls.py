from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy

from escalations.views import emergency
from profiles.program import program_settings

from . import views

# The admin signs in through allauth (same login, same MFA, same throttling).
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
# Read when a page renders (lazy), so the program's name is always today's setting.
admin.site.site_header = lazy(lambda: f"{program_settings().program_name} — staff console", str)()
admin.site.site_title = lazy(lambda: f"{program_settings().program_name} staff", str)()
# The queue's columns need the whole width at 1280 px; the home page lists every model (issue 19).
admin.site.enable_nav_sidebar = False

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
    path("matches/", include("matches.urls")),
    path("meetings/", include("meetings.urls")),
    path("concerns/", include("escalations.urls")),
    path("support/", include("support.urls")),
    path("community/", include("community.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "mentorship.errors.permission_denied"
handler404 = "mentorship.errors.page_not_found"
handler500 = "mentorship.errors.server_error"
