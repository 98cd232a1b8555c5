from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_access import ReadLoggedAdminMixin, RoleAdminMixin, ScopedAdminMixin, adopt_registered_admins
from .admin_filters import group_filter
from .models import Membership, Profile, ProgramSettings, RoleGrant, SupportGroup, Topic, User
from .program import program_defaults
from .services import role_grant


class ProfileInline(ScopedAdminMixin, RoleAdminMixin, admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["topics"]


class RoleGrantInline(ScopedAdminMixin, RoleAdminMixin, admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "group", "started_at", "ended_at"]


class MembershipInline(RoleAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(RoleAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name_col", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "role_grants__role"]
    list_select_related = ["profile"]
    search_fields = ["email", "profile__display_name"]
    inlines = [ProfileInline, MembershipInline, RoleGrantInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description=_("display name"), ordering="profile__display_name")
    def display_name_col(self, obj):
        return obj.display_name


@admin.register(Profile)
class ProfileAdmin(ScopedAdminMixin, RoleAdminMixin, ReadLoggedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "display_name", "pronouns", "time_zone", "updated_at"]
    list_filter = ["gender", "connect_in_person", "connect_phone", "connect_text", "connect_web"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__email"]
    filter_horizontal = ["topics"]
    # Not a select of every person (one profile read per option, thousands of options).
    raw_id_fields = ["user"]


@admin.register(Topic)
class TopicAdmin(RoleAdminMixin, admin.ModelAdmin):
    # The experiences members pick from (matching reads them): the program's own list.
    staff_may = frozenset({"add", "change"})
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SupportGroup)
class SupportGroupAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """Program staff create and rename groups here; people join them by invitation or request (the portal)."""

    staff_may = frozenset({"add", "change"})
    list_display = ["name", "slug", "open_to_requests", "join_code", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(RoleAdminMixin, admin.ModelAdmin):
    staff_may = frozenset({"add", "change", "delete"})
    list_display = ["user", "group", "joined_on"]
    list_filter = [group_filter("group")]
    list_select_related = ["user__profile", "group"]
    search_fields = ["user__email", "group__name"]
    autocomplete_fields = ["user"]


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "group", "started_at", "ended_at"]
    list_filter = ["role", group_filter("group"), ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user__profile", "group"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
    # Staff appoint (add) and end (change: ended_at) roles; a grant is history, never deleted.
    staff_may = frozenset({"add", "change"})
    fields = ["user", "role", "group", "started_at", "ended_at", "granted_by"]
    readonly_fields = ["granted_by"]  # set by the service: whoever appointed

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service: audited, and a staff grant lets its holder into the admin.
        grant = role_grant(obj.user, obj.role, group=obj.group, by=request.user)
        obj.pk, obj.started_at = grant.pk, grant.started_at


from . import joining_admin  # noqa: E402, F401 - registers the joining and orientation admins

# The admins of django.contrib.auth, allauth and axes are registered before ours
# (INSTALLED_APPS order): staff read them, superusers change them. An
# authenticator's secret is shown to nobody.
# allauth's address list shows each person by name: their profiles come with the rows.
adopt_registered_admins(overrides={
    Authenticator: {"exclude": ["data"]},
    EmailAddress: {"list_select_related": ["user__profile"]},
})


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(RoleAdminMixin, admin.ModelAdmin):
    """One page: the program's settings. A blank field keeps the environment's default (shown under it)."""

    staff_may = frozenset({"change"})
    fieldsets = [
        (_("The program"), {"fields": ["program_name", "staff_email", "time_zone"]}),
        (_("Emergency numbers"), {"fields": ["emergency_services", "crisis_line", "crisis_text", "dv_hotline", "dv_text",
                                             "child_abuse_hotline", "emergency_numbers"]}),
        (_("Check-ins"), {"fields": ["checkin_first_days", "checkin_every_days", "checkin_overdue_after_days",
                                     "checkin_long_overdue_days"]}),
        (_("Reports: acknowledgement deadlines"), {"fields": ["ack_hours_tier1", "ack_hours_tier2", "ack_hours_tier3"]}),
        (_("Matching"), {"fields": ["mea_caseload_limit", "proposal_remind_after_hours", "proposal_expire_after_hours",
                                    "unmatched_nudge_after_days"]}),
        (_("Community"), {"fields": ["chat_post_ttl_days", "small_cell_threshold"]}),
    ]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        # The one row; before anyone saved it, an unsaved row of blanks (every default in force).
        return ProgramSettings.objects.filter(pk=1).first() or ProgramSettings(pk=1)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:profiles_programsettings_change", 1)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        defaults = program_defaults()
        for name, value in defaults.items():
            if name in form.base_fields:
                base = form.base_fields[name]
                base.help_text = format_html("{} {}", base.help_text, _("Blank: %(value)s.") % {"value": value})
        return form
