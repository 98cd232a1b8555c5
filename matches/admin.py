"""Staff console for matching. Staff read everything here; changes go through
the portal's services (admin rows are read-only, so no admin edit can bypass
a lock, a constraint message or an event). Every list reads through visible_to."""


from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from profiles.admin_access import RoleAdminMixin, ScopedAdminMixin
from profiles.admin_filters import age_filter, group_filter

from .models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal, UsedLink


class _ReadOnly(ScopedAdminMixin, RoleAdminMixin):
    read_only = True


GROUP = group_filter("group")  # by name typed in: a program has thousands of groups


class EventInline(_ReadOnly, admin.TabularInline):
    model = MatchEvent
    fields = readonly_fields = ["created_at", "kind", "actor"]
    extra = 0
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor__profile")


@admin.register(Match)
class MatchAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["id", "mentor", "mentee", "group", "mea", "status", "started_at", "ended_at", "suitability_rating"]
    list_filter = ["status", GROUP, age_filter("started_at")]
    search_fields = ["mentor__email", "mentee__email", "mea__email", "mentor__profile__display_name",
                     "mentee__profile__display_name"]
    list_select_related = ["mentor__profile", "mentee__profile", "mea__profile", "group"]
    inlines = [EventInline]
    # No date_hierarchy: it reads the DISTINCT years/months of the whole table on every
    # page (a full scan at 100,000 matches); the age filter narrows by start date instead.


@admin.register(Proposal)
class ProposalAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["id", "mentor", "mentee", "group", "initiated_by", "status", "created_at", "expires_at",
                    "mentor_accepted_at", "mentee_accepted_at", "reminded_at"]
    list_filter = ["status", "initiated_by", GROUP, age_filter("created_at")]
    search_fields = ["mentor__email", "mentee__email", "mentor__profile__display_name", "mentee__profile__display_name"]
    list_select_related = ["mentor__profile", "mentee__profile", "group"]
    inlines = [EventInline]


@admin.register(MentorApplication)
class MentorApplicationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["id", "applicant", "group", "status", "months_in_group", "capacity", "created_at", "reviewer"]
    list_filter = ["status", GROUP, age_filter("created_at")]
    search_fields = ["applicant__email", "applicant__profile__display_name"]
    list_select_related = ["applicant__profile", "group", "reviewer__profile"]


@admin.register(MentorProfile)
class MentorProfileAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "approved_at", "updated_at"]
    list_filter = ["status", group_filter("user", member=True), age_filter("approved_at")]
    search_fields = ["user__email", "user__profile__display_name"]
    list_select_related = ["user__profile"]


@admin.register(MenteePreference)
class MenteePreferenceAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["mentee", "preferred_gender", "gender_required", "updated_at"]
    list_filter = ["gender_required", group_filter("mentee", member=True),
                   age_filter("updated_at")]
    search_fields = ["mentee__email", "mentee__profile__display_name"]
    list_select_related = ["mentee__profile"]


@admin.register(MatchEvent)
class MatchEventAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "actor", "match", "proposal"]
    list_filter = ["kind", group_filter("match__group"), age_filter("created_at")]
    search_fields = ["actor__email"]
    list_select_related = ["actor__profile", "match__mentor__profile", "match__mentee__profile",
                           "proposal__mentor__profile", "proposal__mentee__profile"]


@admin.register(UsedLink)
class UsedLinkAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["nonce", "used_at"]
    list_filter = [age_filter("used_at")]
    search_fields = ["nonce"]
