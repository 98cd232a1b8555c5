from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_detail, name="me"),
    path("edit/", views.profile_edit, name="edit"),
    path("<int:pk>/", views.profile_detail, name="detail"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
