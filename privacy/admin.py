from django.contrib import admin

from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin

from .models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """Erasure is completed from the portal (privacy:erasure_requests), which runs every app's eraser."""

    list_display = ["pk", "user", "status", "requested_at", "completed_at", "completed_by"]
    list_filter = ["status"]
    list_select_related = ["user", "completed_by"]
    fields = list_display
    readonly_fields = list_display
    read_only = True
