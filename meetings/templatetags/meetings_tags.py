"""The match page's meetings and goals blocks, for `{% include "meetings/_match_meetings.html" %}`.

The match page is composed in the project package (mentorship/homes.py,
templates/home/match.html); its template includes our partials, which load these
tags, which read what the signed-in person may see of this match (through `visible_to`).
"""

from django import template

from ..forms import GoalForm, GoalProgressForm
from ..models import Goal, Meeting
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


@register.inclusion_tag("meetings/_goals_block.html", takes_context=True)
def match_goals(context, match):
    """The pair's goals, for the pair and their MEA only (Goal.visible_to): nobody else sees the block."""
    user = context["user"]
    if not (match.involves(user) or match.mea_id == user.pk):
        return {"shown": False}
    goals = list(Goal.objects.visible_to(user).filter(match=match).select_related("written_by__profile"))
    can_edit = match.involves(user) and match.is_active
    rows = [(g, GoalProgressForm(prefix=f"goal{g.pk}", initial={"progress": g.progress}) if can_edit
             and g.status == Goal.Status.WORKING else None) for g in goals]
    return {"shown": True, "match": match, "rows": rows, "add_form": GoalForm() if can_edit else None,
            "csrf_token": context.get("csrf_token")}
