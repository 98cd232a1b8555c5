"""The match page's meetings and goals blocks, for `{% include "meetings/_match_meetings.html" %}`.

The match page belongs to `matches`, which knows nothing of this app; its
template includes our partial, and the partial loads these tags, which read
what the signed-in person may see of this match (through `visible_to`).
"""

from django import template

from ..models import Meeting
from ..views import zone_of

register = template.Library()

RECENT = 5


@register.inclusion_tag("meetings/_meetings_block.html", takes_context=True)
def match_meetings(context, match):
    user = context["user"]
    mine = Meeting.objects.visible_to(user).filter(match=match).select_related("proposed_by__profile")
    return {
        "match": match, "user": user, "zone": zone_of(user), "is_side": match.involves(user),
        "open": list(mine.filter(status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED]).order_by("starts_at")),
        "recent": list(mine.filter(status__in=[Meeting.Status.HELD, Meeting.Status.CANCELLED])[:RECENT]),
    }
