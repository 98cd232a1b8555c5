from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_detail, name="me"),
    path("edit/", views.profile_edit, name="edit"),
    path("time-zone/", views.time_zone_set, name="time_zone"),
    path("<int:pk>/", views.profile_detail, name="detail"),
]
