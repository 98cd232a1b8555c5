from django.urls import path

from . import members, survey_views, views

app_name = "support"

urlpatterns = [
    path("mea/", views.mea_home, name="mea_home"),
    path("mea/contact/", views.mea_profile_edit, name="mea_profile_edit"),
    path("coordinator/", views.coordinator_dashboard, name="coordinator_dashboard"),
    path("compliance/", views.compliance, name="compliance"),
    path("members/", members.members, name="members"),
    path("members/join/<int:pk>/<str:action>/", members.join_decide, name="join_decide"),
    path("members/<int:group_id>/<int:user_id>/<str:action>/", members.member_change, name="member_change"),
    path("members/<int:group_id>/<int:user_id>/remove/confirm/", members.member_remove_confirm,
         name="member_remove_confirm"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/mea/", views.assign_mea, name="assign_mea"),
    path("matches/<int:pk>/check-in/", views.checkin_create, name="checkin_create"),
    path("matches/<int:pk>/ask/", views.request_create, name="request_create"),
    path("matches/<int:pk>/milestones/", views.milestone_create, name="milestone_create"),
    path("self-check-ins/<int:pk>/", views.request_detail, name="request_detail"),
    path("self-check-ins/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("self-check-ins/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("matches/<int:pk>/pulse/", survey_views.pulse, name="pulse"),
    path("pulse/<str:token>/", survey_views.pulse_link, name="pulse_link"),
    path("matches/<int:pk>/closing-survey/", survey_views.closing, name="closing_survey"),
    path("program-survey/", survey_views.program, name="program_survey"),
]
