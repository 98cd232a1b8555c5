"""Changelist filters that stay cheap on a big program.

A program has thousands of support groups: Django's FK filters would list every
one of them in the sidebar (RelatedFieldListFilter: a query and thousands of
links on every page; RelatedOnlyFieldListFilter: a DISTINCT over the whole
listed table as well). `group_filter` asks for the group's name instead: no
query to draw it, and one join when used.
"""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Membership


class NameFilter(admin.SimpleListFilter):
    """A text box in the filter sidebar; the list is narrowed to names containing it."""

    template = "admin/name_filter.html"
    max_length = 120

    def lookups(self, request, model_admin):
        return ()

    def has_output(self) -> bool:
        return True

    def value(self):
        value = (super().value() or "").strip()
        return value[: self.max_length] or None

    def choices(self, changelist):
        # One "choice": what the template needs to draw the form and its "All" link.
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
            "value": self.value() or "",
            "parameter_name": self.parameter_name,
            # The other filters and the search stay as they are (the page number does not).
            "hidden": [(k, v) for k, values in changelist.filter_params.items() if k != self.parameter_name
                       for v in values],
        }


def group_filter(path: str, *, member: bool = False) -> type[NameFilter]:
    """Filter by the support group's name. `path` leads to the group (`"match__group"`),
    or with `member=True` to a person, kept when they belong to a matching group."""

    class GroupFilter(NameFilter):
        title = _("group")
        parameter_name = "group"

        def queryset(self, request, queryset):
            name = self.value()
            if name is None:
                return queryset
            if member:
                people = Membership.objects.filter(group__name__icontains=name).values("user_id")
                return queryset.filter(**{f"{path}__in": people})
            return queryset.filter(**{f"{path}__name__icontains": name})

    return GroupFilter


def age_filter(field: str) -> type[admin.SimpleListFilter]:
    """Filter by how long ago `field` was: under a day, a week, a month, or older."""

    class AgeFilter(admin.SimpleListFilter):
        title = _("age")
        parameter_name = "age"
        AGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}

        def lookups(self, request, model_admin):
            return [("1d", _("Under a day")), ("7d", _("Under a week")), ("30d", _("Under a month")),
                    ("older", _("A month or more"))]

        def queryset(self, request, queryset):
            now = timezone.now()
            if self.value() in self.AGES:
                return queryset.filter(**{f"{field}__gte": now - self.AGES[self.value()]})
            if self.value() == "older":
                return queryset.filter(**{f"{field}__lt": now - self.AGES["30d"]})
            return queryset

    return AgeFilter
