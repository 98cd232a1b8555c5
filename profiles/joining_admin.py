"""Admin pages for joining and orientation. Staff edit the orientation's text here;
invitations and requests to join are answered in the portal (their services send
the emails and keep the audit trail), so here they are read-only."""

from django.contrib import admin

from .admin_access import RoleAdminMixin, ScopedAdminMixin
from .admin_filters import group_filter
from .joining import Invitation, JoinRequest, OrientationAck, OrientationItem


@admin.register(OrientationItem)
class OrientationItemAdmin(RoleAdminMixin, admin.ModelAdmin):
    staff_may = frozenset({"add", "change"})
    list_display = ["position", "title", "audience", "active"]
    list_display_links = ["title"]
    list_filter = ["audience", "active"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(OrientationAck)
class OrientationAckAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["user", "item", "at"]
    list_select_related = ["user__profile", "item"]
    list_filter = ["item"]
    search_fields = ["user__email"]
    fields = ["user", "item", "at"]
    read_only = True


@admin.register(Invitation)
class InvitationAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["email", "group", "role", "status", "created_at", "expires_at"]
    list_select_related = ["group"]
    list_filter = ["status", "role", group_filter("group")]
    search_fields = ["email"]
    fields = ["email", "group", "role", "status", "invited_by", "created_at", "sent_at", "expires_at", "accepted_by",
              "answered_at"]
    read_only = True


@admin.register(JoinRequest)
class JoinRequestAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ["user", "group", "status", "created_at", "decided_at"]
    list_select_related = ["user__profile", "group"]
    list_filter = ["status", group_filter("group")]
    search_fields = ["user__email"]
    fields = ["user", "group", "note", "status", "created_at", "decided_at", "decided_by"]
    read_only = True
