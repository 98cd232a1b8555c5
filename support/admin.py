"""Operations console. Check-in content is confidential to the MEA, so the admin
shows the cadence state and reminders, never what was said."""

from django.contrib import admin

from profiles.admin_access import RoleAdminMixin

from .models import MatchSupport, MEAProfile, Milestone, Reminder


@admin.register(MEAProfile)
class MEAProfileAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["user", "caseload_limit", "how_to_reach"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("user__profile")


@admin.register(MatchSupport)
class MatchSupportAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["match", "next_due", "last_checkin_on", "checkins_done", "mea_assigned_at"]
    list_filter = ["next_due"]  # by date (today, past 7 days, ...): no query
    readonly_fields = [f.name for f in MatchSupport._meta.fields]
    # No date_hierarchy: it reads the DISTINCT months of the whole table on every page.

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related(
            "match__mentor__profile", "match__mentee__profile"
        )

    def has_add_permission(self, request):
        return False


@admin.register(Milestone)
class MilestoneAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["what", "match", "happened_on", "recorded_by"]
    raw_id_fields = ["match", "recorded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("recorded_by__profile")


@admin.register(Reminder)
class ReminderAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "match", "recipient", "occurrence", "status", "not_before", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("recipient")

    def has_add_permission(self, request):
        return False
