from django.urls import path

from . import views

app_name = "matches"

# The homes and the match page are composed in the project package (mentorship/homes.py)
# and added to this namespace by mentorship/urls.py.

urlpatterns = [
    path("apply/", views.mentor_apply, name="mentor_apply"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("mentor/status/", views.mentor_status, name="mentor_status"),
    path("mentor/retire/", views.mentor_retire_confirm, name="mentor_retire_confirm"),
    path("mentor/capacity/", views.mentor_capacity, name="mentor_capacity"),
    path("preferences/", views.mentee_preferences, name="mentee_preferences"),
    path("ask/<int:mentor_id>/", views.proposal_ask, name="proposal_ask"),
    path("offer/<int:mentee_id>/", views.proposal_offer, name="proposal_offer"),
    path("propose/", views.proposal_propose, name="proposal_propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("proposals/<int:pk>/decline/confirm/", views.proposal_decline_confirm, name="proposal_decline_confirm"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("link/<str:token>/", views.proposal_link, name="proposal_link"),
    path("match/<int:pk>/end/", views.match_end, name="match_end"),
    path("match/<int:pk>/ending/", views.match_end_confirm, name="match_end_confirm"),
    path("suggestions/<int:mentee_id>/", views.suggestions, name="suggestions"),
    path("cohort/", views.cohort, name="cohort"),
]
