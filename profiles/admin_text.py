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


def value_in_words(value) -> str:
    """One recorded value as a person reads it."""
    if value is None or value == "":
        return _("(none)")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
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
    items = [capfirst(line).rstrip(".") + "." for line in lines if line]
    if not items:
        return _("(none)")
    return format_html("<ul class=\"sentences\">{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))
