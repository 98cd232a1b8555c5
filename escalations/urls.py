from django.urls import path

from . import views

app_name = "escalations"

# Staff's home is composed in the project package (mentorship/homes.py) and added to this
# namespace by mentorship/urls.py.

urlpatterns = [
    path("report/", views.report, name="report"),
    path("mine/", views.my_reports, name="mine"),
    path("mine/<int:pk>/", views.my_report, name="my_report"),
    path("mine/<int:pk>/details/", views.add_details, name="add_details"),
    path("debriefs/<int:pk>/", views.debrief_answer, name="debrief_answer"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/<str:action>/", views.inbox_act, name="inbox_act"),
]
