from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("match/<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/suggest/", views.suggest, name="suggest"),
    path("<int:pk>/held/", views.mark_held, name="held"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/invite.ics", views.ics, name="ics"),
    path("match/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("goals/<int:pk>/", views.goal_update, name="goal_update"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/new/", views.calendar_new, name="calendar_new"),
    path("calendar/stop/", views.calendar_stop, name="calendar_stop"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
