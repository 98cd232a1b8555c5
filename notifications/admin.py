from django.contrib import admin

from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin

from .models import Delivery, Notice, TransportState


@admin.register(Delivery)
class DeliveryAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Operations view of the outbox: what is waiting, what is stuck and why. Bodies are never shown."""

    list_display = ["pk", "channel", "to", "subject", "status", "created_at", "next_attempt_at", "sent_at",
                    "attempts", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["to"]
    fields = ["channel", "status", "to", "subject", "topic", "created_at", "next_attempt_at", "expires_at", "sent_at",
              "attempts", "last_error", "failed_over_at"]
    read_only = True


@admin.register(TransportState)
class TransportStateAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The mail server's and the webhook's last success and last error (also on /healthz)."""

    list_display = ["channel", "last_success_at", "last_error_at", "last_error"]
    fields = readonly_fields = list_display
    read_only = True


@admin.register(Notice)
class NoticeAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """A person's notices are theirs (Notice.visible_to): staff read their own here;
    whether a member was emailed is in the outbox (Delivery)."""

    list_display = ["user", "title", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user__profile"]
    search_fields = ["user__email"]
