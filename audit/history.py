"""Reading the history back: which models are tracked, an object's events, and each event
as a sentence a person reads ("Sam Staff changed the match's suitability rating from 2 to 3
on Tue 5 Jan 2027, 14:03 CET")."""

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pghistory.models import Event

from profiles.admin_text import value_in_words
from profiles.models import User

from .models import History


def event_models() -> list[type[models.Model]]:
    """Every event model (one per tracked model: matches.MatchHistory, …)."""
    return [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]


def tracked_models() -> dict[type[models.Model], type[models.Model]]:
    """{tracked model: its event model}."""
    return {m.pgh_tracked_model: m for m in event_models()}


def history_of(obj: models.Model):
    """The events of one object, newest first."""
    return History.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")


def _is_person(field: models.Field | None) -> bool:
    return field is not None and field.is_relation and field.related_model is User


def actor_names(events) -> dict[int, str]:
    """{user id: display name} for the people these events name: who acted (the context) and
    who a changed field points at (a match's MEA), in one query."""
    ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    for event in events:
        fields = _fields(apps.get_model(event.pgh_obj_model)) if event.pgh_obj_model else {}
        for name, pair in (event.pgh_diff or {}).items():
            if _is_person(fields.get(name)):
                ids.update(pair)
        for name, value in (event.pgh_data or {}).items():
            if _is_person(fields.get(name)):
                ids.add(value)
    ids = {i for i in ids if isinstance(i, int)}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids).select_related("profile")}


def _say_value(field: models.Field | None, value, names: dict[int, str]) -> str:
    if field is not None and field.choices and value is not None:
        return str(dict((str(k), v) for k, v in field.flatchoices).get(str(value), value))
    if _is_person(field) and value in names:
        return names[value]
    if field is not None and field.is_relation and value is not None:
        return f"{field.related_model._meta.verbose_name} #{value}"
    return value_in_words(value)


def _fields(model) -> dict[str, models.Field]:
    found = {}
    for field in model._meta.concrete_fields if model else ():
        found[field.attname] = found[field.name] = field
    return found


def sentence(event, names: dict[int, str]) -> str:
    """One event as a sentence."""
    context = event.pgh_context or {}
    user = context.get("user")
    if user:
        who = names.get(user) or _("person #%(id)s") % {"id": user}
    elif context.get("task") or context.get("command"):
        who = _("The system (%(task)s)") % {"task": context.get("task") or context.get("command")}
    else:
        who = _("The system")
    model = apps.get_model(event.pgh_obj_model) if event.pgh_obj_model else None
    thing = model._meta.verbose_name if model else event.pgh_obj_model
    when = date_format(timezone.localtime(event.pgh_created_at), "DATETIME_FORMAT")
    subject = _("the %(thing)s #%(id)s") % {"thing": thing, "id": event.pgh_obj_id}
    fields = _fields(model)
    if event.pgh_label == "insert":
        what = _("created %(subject)s") % {"subject": subject}
    elif event.pgh_label == "delete":
        what = _("deleted %(subject)s") % {"subject": subject}
    elif event.pgh_diff:
        parts = []
        for name, pair in sorted(event.pgh_diff.items()):
            old, new = pair
            field = fields.get(name)
            label = field.verbose_name if field is not None else name.replace("_", " ")
            parts.append(_("%(field)s from %(old)s to %(new)s") % {
                "field": label, "old": _say_value(field, old, names), "new": _say_value(field, new, names)})
        what = _("changed %(subject)s: %(changes)s") % {"subject": subject, "changes": "; ".join(parts)}
    else:
        data = event.pgh_data or {}
        parts = [f"{(fields[n].verbose_name if n in fields else n)} {_say_value(fields.get(n), v, names)}"
                 for n, v in sorted(data.items()) if not n.startswith("pgh_") and n != "id"]
        what = _("changed %(subject)s (now: %(values)s)") % {"subject": subject, "values": "; ".join(parts)}
    return _("%(who)s %(what)s on %(when)s") % {"who": who, "what": what, "when": when}
