"""Operations console. Check-in content is confidential to the MEA, so the admin
shows the cadence state and reminders, never what was said."""

from django.contrib import admin

from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin

from .models import MatchSupport, MEAProfile, Milestone, Reminder


@admin.register(MEAProfile)
class MEAProfileAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["user", "caseload_limit", "how_to_reach"]
    list_select_related = ["user__profile"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]


@admin.register(MatchSupport)
class MatchSupportAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["match", "next_due", "last_checkin_on", "checkins_done", "mea_assigned_at"]
    list_select_related = ["match__mentor__profile", "match__mentee__profile"]
    list_filter = ["next_due"]  # by date (today, past 7 days, ...): no query
    readonly_fields = [f.name for f in MatchSupport._meta.fields]
    # No date_hierarchy: it reads the DISTINCT months of the whole table on every page.

    def has_add_permission(self, request):
        return False


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["what", "match", "happened_on", "recorded_by"]
    list_select_related = ["recorded_by__profile"]
    raw_id_fields = ["match", "recorded_by"]


@admin.register(Reminder)
class ReminderAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "match", "recipient", "occurrence", "status", "not_before", "sent_at"]
    list_select_related = ["recipient"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False
