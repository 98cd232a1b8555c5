from django.urls import path

from . import views

app_name = "matches"

urlpatterns = [
    path("mentee/", views.mentee_home, name="mentee_home"),
    path("mentor/", views.mentor_home, name="mentor_home"),
    path("coordinator/", views.coordinator_home, name="coordinator_home"),
]
