"""History and the read log in the staff console: read-only, program staff and superusers only.

History reads as sentences ("Sam Staff changed the match #3: suitability rating from 2 to 3
on …"), newest first, across every event table (one per tracked model).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from profiles.admin_access import OfferedLookupsChangeList, RoleAdminMixin, ScopedAdminMixin

from .history import actor_names, sentence, tracked_models
from .models import AccessEvent, History


class HistoryChangeList(OfferedLookupsChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The people named on this page: one query for the page, not one per line.
        names = actor_names(self.result_list)
        for event in self.result_list:
            event.in_words = sentence(event, names)


class TrackedModelFilter(admin.SimpleListFilter):
    title = _("what changed")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        # The tracked models, from the code: no query.
        return sorted((m._meta.label, m._meta.verbose_name.capitalize()) for m in tracked_models())

    def queryset(self, request, queryset):
        event_models = {m._meta.label: e for m, e in tracked_models().items()}
        if self.value() in event_models:
            return queryset.across(event_models[self.value()])
        return queryset


class _ReadOnly(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """History is evidence: staff can read it, nobody can add, edit or delete it here."""

    read_only = True


@admin.register(History)
class HistoryAdmin(_ReadOnly):
    list_display = ["what_happened"]
    list_display_links = None
    list_filter = [TrackedModelFilter]
    list_per_page = 50
    ordering = ["-pgh_created_at", "-pgh_id"]

    def get_changelist(self, request, **kwargs):
        return HistoryChangeList

    @admin.display(description=_("what happened"))
    def what_happened(self, obj):
        return getattr(obj, "in_words", "")


@admin.register(AccessEvent)
class AccessEventAdmin(_ReadOnly):
    list_display = ["at", "actor", "content_type", "object_id", "path"]
    list_select_related = ["actor__profile", "content_type"]
    # The content types: one query on a small table. No date_hierarchy: it reads the
    # DISTINCT days of the whole trail on every page; the date filter needs no query.
    list_filter = ["content_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["object_id", "actor__email"]
    fields = ["at", "actor", "content_type", "object_id", "path"]

