"""Operations console for the chat board and the library. Private threads and their
messages are not here: they belong to the two people in them (a reported message is
read on the report's page in the portal, by the group's coordinators)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin

from . import services
from .models import ChatPost, ChatReport, Resource


class _ProgramStaff(ScopedAdminMixin, RoleAdminMixin):
    """Program staff read here; `can_edit` models they may also add to and change. Nothing is deleted here."""

    can_edit = False

    @property
    def read_only(self):
        return not self.can_edit

    @property
    def staff_may(self):
        return frozenset({"add", "change"}) if self.can_edit else frozenset()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChatPost)
class ChatPostAdmin(_ProgramStaff, admin.ModelAdmin):
    list_display = ["title", "kind", "group", "author", "status", "created_at", "expires_at"]
    # No FK filters: each would cost a query for its choices (the changelist stays within 8).
    list_filter = ["kind", "status"]
    search_fields = ["title", "group__name"]
    list_select_related = ["author__profile", "group"]
    readonly_fields = ["author", "group", "kind", "title", "body", "created_at", "expires_at", "status", "closed_at"]


@admin.register(ChatReport)
class ChatReportAdmin(_ProgramStaff, admin.ModelAdmin):
    list_display = ["__str__", "group", "reason", "status", "created_at", "resolved_at"]
    list_filter = ["status", "reason"]
    search_fields = ["group__name"]
    readonly_fields = ["reporter", "group", "post", "message", "reason", "note", "status", "created_at", "resolved_at",
                       "resolved_by"]
    list_select_related = ["group"]
    actions = ["resolve"]

    @admin.action(description=_("Mark as handled"))
    def resolve(self, request, queryset):
        done = 0
        for report in queryset.filter(status=ChatReport.Status.OPEN):
            try:
                services.report_resolve(report=report, by=request.user)
                done += 1
            except services.CommunityError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        self.message_user(request, _("%(n)s report(s) marked as handled.") % {"n": done})


@admin.register(Resource)
class ResourceAdmin(_ProgramStaff, admin.ModelAdmin):
    can_edit = True
    list_display = ["title", "group", "status", "created_by", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "body", "group__name", "topics__name"]
    filter_horizontal = ["topics"]
    list_select_related = ["group", "created_by__profile"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
