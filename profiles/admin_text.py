"""Admin values read as sentences, not JSON (issue 19).

The staff console shows history diffs, per-tier deadlines and routing reasons
to a person: "Status: Open → Acknowledged", "Tier 1 (MEA): within 3 days".
Every date and time goes through the one project format (mentorship/formats)
in the reader's own time zone.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .audit import REDACTED


def value_in_words(value) -> str:
    """One recorded value as a person reads it."""
    if value is None or value == "":
        return _("(none)")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value == REDACTED:
        return _("(confidential)")
    if isinstance(value, list | tuple):
        return ", ".join(value_in_words(v) for v in value) or _("(none)")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_in_words(v)}" for k, v in value.items()) or _("(none)")
    if isinstance(value, str):
        moment = parse_datetime(value) if len(value) >= 19 and value[4:5] == "-" else None
        if moment is not None:
            value = moment
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.utc)
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def field_label(name: str) -> str:
    return name.replace("_id", "").replace("_", " ").capitalize()


def _field_in_words(model, name: str, words: dict):
    """The field's label and how to say one of its values: its own words if given, a
    choice's label ("Open", not "open"), a related row as "Support group #3"."""
    field = {f.attname: f for f in model._meta.concrete_fields}.get(name) if model else None
    if field is None:
        return field_label(name), words.get(name, value_in_words)
    label = capfirst(field.verbose_name)
    if name in words:
        return label, words[name]
    if field.is_relation:
        kind = capfirst(field.related_model._meta.verbose_name)
        return label, lambda v: f"{kind} #{v}"
    if field.choices:
        choices = {str(k): v for k, v in field.flatchoices}
        return label, lambda v: str(choices.get(str(v), value_in_words(v)))
    return label, value_in_words


def changes_in_words(changes: dict, model=None, words: dict | None = None):
    """{"field": [old, new]} as a list: "Status: Open → Acknowledged" (confidential fields say only
    that they changed). With the `model`, fields go by their labels and values by their choices;
    `words` says a field's values as its own page does ({"deadlines": …})."""
    if not changes:
        return _("No field changed.")
    items = []
    for name, pair in sorted(changes.items()):
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        label, say = _field_in_words(model, name, words or {})
        if old == REDACTED or new == REDACTED:
            items.append((label, _("changed (content kept confidential)")))
        else:
            old, new = (value_in_words(v) if v is None else say(v) for v in (old, new))
            items.append((label, f"{old} → {new}"))
    return format_html("<ul class=\"sentences\">{}</ul>", format_html_join("", "<li>{}: {}</li>", items))


def hours_in_words(hours: float) -> str:
    hours = float(hours)
    if hours >= 48 and hours % 24 == 0:
        days = int(hours // 24)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours >= 1:
        n = round(hours, 1)
        n = int(n) if n == int(n) else n
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    minutes = round(hours * 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def sentences(lines) -> str:
    """Reasons recorded as phrases, shown as sentences."""
    items = [(line[:1].upper() + line[1:]).rstrip(".") + "." for line in lines if line]
    if not items:
        return _("(none)")
    return format_html("<ul class=\"sentences\">{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))
