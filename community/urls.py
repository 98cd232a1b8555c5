from django.urls import path

from . import insights_views, views

app_name = "community"

urlpatterns = [
    # Chat board
    path("board/", views.board, name="board"),
    path("board/new/", views.post_create, name="post_create"),
    path("board/<int:pk>/", views.post_detail, name="post_detail"),
    path("board/<int:pk>/close/", views.post_close, name="post_close"),
    path("board/<int:pk>/reply/", views.post_reply, name="post_reply"),
    path("board/<int:pk>/report/", views.report_post, name="report_post"),
    path("board/<int:pk>/block/", views.block_post_author, name="block_post_author"),
    path("chats/<int:pk>/", views.thread_detail, name="thread_detail"),
    path("chats/<int:pk>/message/", views.thread_message, name="thread_message"),
    path("chats/<int:pk>/contact/", views.thread_contact, name="thread_contact"),
    path("chats/<int:pk>/block/", views.block_thread_other, name="block_thread_other"),
    path("messages/<int:pk>/report/", views.report_message, name="report_message"),
    path("blocked/", views.blocks, name="blocks"),
    path("blocked/<int:pk>/remove/", views.block_remove, name="block_remove"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/resolve/", views.report_resolve, name="report_resolve"),
    # Toolkit
    path("toolkit/", views.toolkit, name="toolkit"),
    path("toolkit/resources/new/", views.resource_create, name="resource_create"),
    path("toolkit/resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("toolkit/resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("toolkit/resources/<int:pk>/status/", views.resource_status, name="resource_status"),
    path("toolkit/resources/<int:pk>/save/", views.resource_save, name="resource_save"),
    path("toolkit/matches/<int:pk>/", views.match_resources, name="match_resources"),
    path("toolkit/saved/<int:pk>/remove/", views.saved_remove, name="saved_remove"),
    # Program insights
    path("insights/", insights_views.insights, name="insights"),
    path("insights/<slug:metric>.csv", insights_views.insights_csv, name="insights_csv"),
]
