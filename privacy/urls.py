from django.urls import path

from . import views

app_name = "privacy"

# Under /profile/privacy/: my data (export, erasure request); coordinators and staff complete erasures.
urlpatterns = [
    path("", views.home, name="home"),
    path("export.json", views.export, name="export"),
    path("erase/", views.erasure_request_create, name="erasure_request"),
    path("erase/<int:pk>/withdraw/", views.erasure_request_withdraw, name="erasure_withdraw"),
    path("requests/", views.erasure_request_list, name="erasure_requests"),
    path("requests/<int:pk>/complete/", views.erasure_request_complete, name="erasure_complete"),
]
