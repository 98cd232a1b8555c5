from django.urls import path

from . import joining_views as views

app_name = "people"

urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/<str:action>/", views.invitation_change, name="invitation_change"),
    path("invite/<str:token>/", views.invitation_open, name="invitation_open"),
    path("invitation/", views.invitation_accept, name="invitation_accept"),
    path("join/", views.join, name="join"),
    path("orientation/", views.orientation, name="orientation"),
    path("orientation/<int:pk>/done/", views.orientation_ack, name="orientation_ack"),
]
