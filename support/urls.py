from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("mea/", views.mea_home, name="mea_home"),
]
