"""Who may use an admin page: decided by role, in one place.

Program staff (an active staff RoleGrant; `role_grant` sets `is_staff` so they
can sign in to the admin) are not superusers and hold no Django model
permissions. Every ModelAdmin and inline of the project mixes in
`RoleAdminMixin` (third-party ones are re-registered with it by
`adopt_registered_admins`), so the answer is the same on every page:

- nobody without `is_active` and `is_staff` (the admin site refuses them first);
- program staff may view every page; they may add, change or delete only what
  the admin names in `staff_may`;
- superusers keep Django's own checks (every permission);
- `read_only = True`: nobody adds, changes or deletes there, superusers
  included (changes go through the portal's services, their locks and events).

The querysets stay scoped by each admin's `get_queryset` (`visible_to`).

Every changelist applies only the lookups its admin offers (`OfferedLookupsChangeList`):
its list_filter, search_fields (`q`) and date_hierarchy; any other lookup in the query
string answers 400, for superusers too. And it counts once: no second count of the
whole table.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.views.main import ChangeList
from django.dispatch import Signal

ACTIONS = frozenset({"add", "change", "delete"})


class OfferedLookupsChangeList(ChangeList):
    """A changelist that applies only the lookups its admin offers.

    Django's own changelist applies any lookup on a model's own fields given in the
    query string (`?body_text__regex=...`): one "1 result"/"0 results" answer at a
    time, that reads a hidden field out character by character. Here the offered
    filters (list_filter, date_hierarchy) take their own parameters first, exactly
    as Django names them; whatever is left was not offered and is refused
    (DisallowedModelAdminLookup, a SuspiciousOperation: 400, and a line in the
    security log). The search (`q`), ordering, paging, popups and `_to_field`
    (checked by Django's to_field_allowed) are not lookups and never reach this.
    """

    def get_filters(self, request):
        filter_specs, has_filters, remaining, may_have_duplicates, has_active_filters = super().get_filters(request)
        hierarchy = self.date_hierarchy
        # Django turns the offered date drill-down (year/month/day) into this range.
        drilled = {f"{hierarchy}__gte", f"{hierarchy}__lt"} if f"{hierarchy}__year" in self.filter_params else set()
        if set(remaining) - drilled:
            raise DisallowedModelAdminLookup(
                f"{self.model._meta.label}: filtering by {', '.join(sorted(set(remaining) - drilled))} is not offered"
            )
        return filter_specs, has_filters, remaining, may_have_duplicates, has_active_filters


class RoleAdminMixin:
    staff_may: frozenset[str] = frozenset()
    read_only = False
    # No second, unfiltered count ("N total") on any changelist (tests/test_query_budgets.py checks).
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return OfferedLookupsChangeList

    def _may(self, request, action: str, django_says) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if action != "view" and self.read_only:
            return False
        if user.is_superuser:
            return django_says()
        return user.is_program_staff and (action == "view" or action in self.staff_may)

    def has_module_permission(self, request):
        return self._may(request, "view", lambda: super(RoleAdminMixin, self).has_module_permission(request))

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", lambda: super(RoleAdminMixin, self).has_view_permission(request, obj))

    def has_add_permission(self, request, *args):  # inlines take (request, obj)
        return self._may(request, "add", lambda: super(RoleAdminMixin, self).has_add_permission(request, *args))

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", lambda: super(RoleAdminMixin, self).has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", lambda: super(RoleAdminMixin, self).has_delete_permission(request, obj))


# Sent when a staff member opens the admin page of an object whose reads are logged
# (kwargs: request, obj); the audit app records it in its read log (audit.AccessEvent).
object_read = Signal()


class ReadLoggedAdminMixin:
    """ModelAdmin mixin: every view of an object's admin page sends `object_read`."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                object_read.send(sender=type(obj), request=request, obj=obj)
        return response


class ScopedAdminMixin:
    """An admin or inline whose rows are read through the model's `visible_to`.

    The superuser too: Django's superuser passes every permission check but reads
    what program staff read (User.is_program_staff), no more. The technical owner
    keeps the program's confidences (a tier-1 report the MEA still holds, the MEA's
    handling notes, check-in text)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


def adopt_registered_admins(site=admin.site, overrides: dict | None = None) -> None:
    """Re-register every admin not written for this project (auth, allauth, axes) with
    RoleAdminMixin, so program staff can read them and only superusers change them.

    `overrides` maps a model to extra class attributes (e.g. fields to hide from staff).
    """
    overrides = overrides or {}
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, RoleAdminMixin):
            continue
        cls = type(model_admin)
        adopted = type(cls.__name__, (RoleAdminMixin, cls), {"__module__": __name__, **overrides.get(model, {})})
        site.unregister(model)
        site.register(model, adopted)
