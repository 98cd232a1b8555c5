from django.urls import path

from . import privacy_views, views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_detail, name="me"),
    path("edit/", views.profile_edit, name="edit"),
    path("<int:pk>/", views.profile_detail, name="detail"),
    # Privacy: my data (export, erasure request); coordinators and staff complete erasures.
    path("privacy/", privacy_views.privacy_home, name="privacy"),
    path("privacy/export.json", privacy_views.privacy_export, name="privacy_export"),
    path("privacy/erase/", privacy_views.erasure_request_create, name="erasure_request"),
    path("privacy/erase/<int:pk>/withdraw/", privacy_views.erasure_request_withdraw, name="erasure_withdraw"),
    path("privacy/requests/", privacy_views.erasure_request_list, name="erasure_requests"),
    path("privacy/requests/<int:pk>/complete/", privacy_views.erasure_request_complete, name="erasure_complete"),
]
