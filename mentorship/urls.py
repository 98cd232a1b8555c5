from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from escalations.views import emergency

from . import views

# The admin signs in through allauth (same login, same MFA, same throttling).
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentorship program — staff console"
admin.site.site_title = "Mentorship staff"

urlpatterns = [
    path("", views.home, name="home"),
    # Emergency guidance: no login, no database; linked from every page.
    path("help/", emergency, name="emergency"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("profiles.urls")),
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
