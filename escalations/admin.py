"""The staff queue: reports in the Django admin.

Read through Concern.objects.visible_to (a tier-1 report the MEA still holds is
not listed); nothing is edited in a form: acknowledge, assign and resolve are
actions that call the same services as the portal. Each opening of a report is
recorded in the program's read log (audit.AccessEvent); the report's page shows
its timeline (ConcernEvent), its other changes from the history (audit/, never
what was reported) and who opened it, read-only.
"""


from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Case, IntegerField, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from audit.history import actor_names, history_of, sentence
from audit.models import AccessEvent
from notifications.models import Delivery
from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin
from profiles.admin_filters import age_filter, group_filter
from profiles.admin_text import hours_in_words, sentences
from profiles.models import Role, User

from . import notifications, services
from .models import KIND_WORDS, Concern, ConcernEvent, Debrief, GroupEmergencyNumbers


class _StaffOnly(ScopedAdminMixin, RoleAdminMixin):
    """Program staff read the queue, each row through its model's visible_to; nobody adds,
    edits or deletes here (actions call the services)."""

    read_only = True


class EventInline(_StaffOnly, admin.TabularInline):
    model = ConcernEvent
    fields = readonly_fields = ["created_at", "what", "actor", "note"]
    extra = 0
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        # Each line names who acted (their display name): with the rows, not one read per line.
        return super().get_queryset(request).select_related("actor__profile")


class AccessInline(_StaffOnly, GenericTabularInline):
    model = AccessEvent
    fields = readonly_fields = ["at", "actor", "path"]
    extra = 0
    verbose_name_plural = _("who opened it")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor__profile", "content_type")


def deadlines_in_words(deadlines: dict | None) -> list[str]:
    """{"1": 72.0, …} (hours by tier) as "Tier 1 (MEA): within 3 days", …"""
    names = {"1": _("Tier 1 (MEA)"), "2": _("Tier 2 (staff)"), "3": _("Tier 3 (emergency)")}
    return [_("%(tier)s: within %(time)s") % {"tier": names.get(str(tier), tier), "time": hours_in_words(hours)}
            for tier, hours in sorted((deadlines or {}).items())]


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Not acknowledged in time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Concern.Status.OPEN, ack_deadline__lt=timezone.now())
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = _("who handles it")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(KIND_WORDS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() in KIND_WORDS else queryset


class ConcernActionForm(ActionForm):
    outcome = forms.CharField(label=_("Outcome (to resolve)"), required=False, max_length=2000)
    assignee = forms.ModelChoiceField(
        label=_("Staff member (to assign)"), required=False,
        # With their profiles: each choice is labelled with the display name.
        queryset=User.objects.filter(role_grants__role=Role.STAFF, role_grants__ended_at=None).distinct()
        .select_related("profile"),
    )


@admin.register(Concern)
class ConcernAdmin(_StaffOnly, admin.ModelAdmin):
    # Fits 1280 px: the deadline and whether it is missed share a column; kind and resends are on the page.
    list_display = ["id", "urgency", "status", "acknowledge_by", "group_name", "assigned_to", "reported"]
    list_filter = ["tier", "status", KindFilter, age_filter("created_at"), OverdueFilter, group_filter("group"),
                   "source"]
    # The group comes in one extra query for the page's rows (get_queryset): joined into
    # the list query, Postgres would join every report to it before sorting and cutting the page.
    list_select_related = ["assigned_to__profile"]
    readonly_fields = ["match", "reporter", "about", "subject", "group", "situation_list", "details", "source", "tier",
                       "kind_in_words",
                       "routed_to_mea", "escalated_to_staff", "escalated_at", "why_routed", "status", "assigned_to",
                       "acknowledge_by", "deadlines_by_tier", "acknowledged_at", "resends", "all_staff_notified_at",
                       "resolved_at", "outcome", "created_at", "deliveries", "other_changes"]
    fields = readonly_fields
    inlines = [EventInline, AccessInline]
    action_form = ConcernActionForm
    actions = ["acknowledge", "start", "assign", "resolve"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("group")

    def get_ordering(self, request):
        # Open work first: unresolved before resolved, then the highest tier, then the nearest deadline.
        resolved_last = Case(When(status=Concern.Status.RESOLVED, then=1), default=0, output_field=IntegerField())
        return [resolved_last.asc(), "-tier", "ack_deadline"]

    @admin.display(description=_("group"), ordering="group__name")
    def group_name(self, obj):
        return obj.group or "—"

    @admin.display(description=_("urgency"), ordering="-tier")
    def urgency(self, obj):
        # Words and colour, never colour alone.
        return format_html('<span class="badge {}">{}</span>', obj.urgency_class, obj.urgency)

    @admin.display(description=_("acknowledge by"), ordering="ack_deadline")
    def acknowledge_by(self, obj):
        when = date_format(timezone.localtime(obj.ack_deadline), "DATETIME_FORMAT")
        if obj.is_overdue:
            return format_html('{} <strong class="state-late">{}</strong>', when, _("overdue"))
        return when

    @admin.display(description=_("reported"), ordering="created_at")
    def reported(self, obj):
        # timesince joins with no-break spaces; a plain one lets the narrow column wrap.
        return _("%(age)s ago") % {"age": timesince(obj.created_at, depth=1).replace("\xa0", " ")}

    @admin.display(description=_("notifications"))
    def deliveries(self, obj):
        """Who was told, on which channel, and whether it was accepted (the outbox's record; never the body)."""
        rows = Delivery.objects.filter(topic=notifications.topic(obj.pk)).order_by("created_at", "pk")
        return format_html_join(
            mark_safe("<br>"), "{} to {}: {} ({} attempts{})",
            ((r.get_channel_display(), r.to, r.get_status_display(), r.attempts,
              f", last error {r.last_error}" if r.last_error else "") for r in rows),
        ) or _("none")

    @admin.display(description=_("other changes (history)"))
    def other_changes(self, obj):
        """What the timeline does not say: the report re-pointed to another match, person or group."""
        events = list(history_of(obj)[:50])
        names = actor_names(events)
        return sentences([sentence(e, names) for e in events])

    @admin.display(description=_("who handles it"))
    def kind_in_words(self, obj):
        return obj.kind_in_words

    @admin.display(description=_("situations"))
    def situation_list(self, obj):
        return "; ".join(obj.situation_labels)

    @admin.display(description=_("why it was routed so"))
    def why_routed(self, obj):
        return sentences(obj.routing_reasons)

    @admin.display(description=_("deadlines to acknowledge, by tier"))
    def deadlines_by_tier(self, obj):
        return sentences(deadlines_in_words(obj.deadlines))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            concern = self.get_object(request, object_id)
            if concern is not None:
                services.concern_record_access(concern, request.user, request.path)
        return response

    def _each(self, request, queryset, do, done_message):
        done = 0
        for concern in queryset:
            try:
                do(concern)
            except services.ConcernError as exc:
                self.message_user(request, f"#{concern.pk}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Acknowledge"))
    def acknowledge(self, request, queryset):
        self._each(request, queryset, lambda c: services.concern_acknowledge(c, request.user), _("%(n)s acknowledged."))

    @admin.action(description=_("Mark in progress"))
    def start(self, request, queryset):
        self._each(request, queryset, lambda c: services.concern_start(c, request.user), _("%(n)s in progress."))

    @admin.action(description=_("Assign to the chosen staff member"))
    def assign(self, request, queryset):
        assignee = ConcernActionForm(request.POST).fields["assignee"].clean(request.POST.get("assignee") or None)
        if assignee is None:
            self.message_user(request, _("Choose a staff member to assign."), messages.ERROR)
            return
        self._each(request, queryset, lambda c: services.concern_assign(c, request.user, assignee), _("%(n)s assigned."))

    @admin.action(description=_("Resolve with the outcome given"))
    def resolve(self, request, queryset):
        outcome = request.POST.get("outcome", "")
        self._each(request, queryset, lambda c: services.concern_resolve(c, request.user, outcome), _("%(n)s resolved."))


@admin.register(Debrief)
class DebriefAdmin(_StaffOnly, admin.ModelAdmin):
    list_display = ["concern", "person", "owner", "status", "due_on"]
    list_filter = ["status"]
    fields = readonly_fields = ["concern", "person", "owner", "status", "due_on", "done_at", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("concern", "person__profile", "owner__profile")


@admin.register(GroupEmergencyNumbers)
class GroupEmergencyNumbersAdmin(ScopedAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """A group's own emergency numbers (another country, a local line); blanks use the program's."""

    staff_may = frozenset({"add", "change", "delete"})
    list_display = ["group", "emergency", "crisis_call", "dv_call", "child_call"]
