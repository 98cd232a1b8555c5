"""A test-only admin site with bulk actions on matches and check-ins.

The product has none: the match admin is read-only (changes go through the
services) and check-ins are not in the admin at all (their content is the
MEA's). This site proves that a bulk action, were one added, still leaves its
rows in the audit trail: it runs through the real middleware, the real admin
and the models' AuditedQuerySet.
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
    actions = ["rate_three"]

    @admin.action(description="Rate 3")
    def rate_three(self, request, queryset):
        queryset.update(suitability_rating=3)


@admin.register(CheckIn, site=site)
class BulkCheckInAdmin(admin.ModelAdmin):
    actions = ["held_today"]

    @admin.action(description="Held today")
    def held_today(self, request, queryset):
        queryset.update(held_on=timezone.localdate())


urlpatterns = [path("audit-test-admin/", site.urls), *project_urls]
