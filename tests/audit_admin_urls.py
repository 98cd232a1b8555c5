"""A test-only admin site with bulk actions on matches and check-ins.

The product has none: the match admin is read-only (changes go through the
services) and check-ins are not in the admin at all (their content is the
MEA's). This site proves that a bulk action, were one added, still leaves its
rows in the history: it runs through the real middleware (pghistory's context),
the real admin and the Postgres triggers.
"""

from django.contrib import admin
from django.urls import path
from django.utils import timezone

from matches.models import Match
from mentorship.urls import urlpatterns as project_urls
from support.models import CheckIn

site = admin.AdminSite(name="audit_test_admin")


@admin.register(Match, site=site)
class BulkMatchAdmin(admin.ModelAdmin):
    actions = ["no_mea"]

    @admin.action(description="Take the MEA off")
    def no_mea(self, request, queryset):
        queryset.update(mea=None)


@admin.register(CheckIn, site=site)
class BulkCheckInAdmin(admin.ModelAdmin):
    actions = ["held_today"]

    @admin.action(description="Held today")
    def held_today(self, request, queryset):
        queryset.update(held_on=timezone.localdate())


urlpatterns = [path("audit-test-admin/", site.urls), *project_urls]
