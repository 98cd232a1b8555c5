"""The mentor's and mentee's next step, and their relationship as each of them sees it (issue 19).

A member's next step reads their match (matches), its check-ins and milestones
(support) and the toolkit's way for its stage (community), so it lives in the
project package, beside the homes that show it (mentorship/homes.py). The other
roles' next steps live lower, in support/next_steps.py. Each function runs a small
fixed number of queries whatever the size of the program
(tests/test_query_budgets.py).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.toolkit import way_for_stage
from matches.models import Match
from profiles.models import Profile, User
from support.cadence import next_due as first_due
from support.models import MEAProfile, Milestone
from support.next_steps import NextStep, format_day, format_moment


@dataclass
class Relationship:
    """Everything a mentor or mentee needs about their match, read in one query."""

    match: Match
    other: User
    other_role: str
    shared_methods: list[str]
    reach_other: list[str]
    next_due: date | None
    checkins_done: int
    milestone: str | None
    milestone_on: date | None
    mea_reach: str
    way: tuple[str, str, str]
    days_together: int

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due < timezone.localdate()

    @property
    def is_new(self) -> bool:
        return self.checkins_done == 0 and self.days_together < 30


def _reach(profile: Profile | None, user: User) -> list[str]:
    """How to reach a person, in their own preferred ways (for the other side of their match)."""
    lines = [_("Email: %(email)s") % {"email": user.email}]
    if profile is None:
        return lines
    if profile.phone and (profile.connect_phone or profile.connect_text):
        lines.append(_("Phone: %(phone)s") % {"phone": profile.phone})
    if profile.discord:
        lines.append(_("Discord: %(name)s") % {"name": profile.discord})
    if profile.availability:
        lines.append(_("Usually available: %(when)s") % {"when": profile.availability})
    return lines


FLAGS = ("in_person", "phone", "text", "web")


def with_relationship(matches, viewer: User):
    """`matches` (a viewer's own, as mentor or mentee) with what `relationship` needs, in the same query."""
    newest = Milestone.objects.visible_to(viewer).filter(match=OuterRef("pk")).order_by("-happened_on", "-created_at")
    # The viewer's own ways to connect come with the row (their profile is not otherwise loaded): the
    # viewer's profile whichever side they are on, read once by Postgres (an uncorrelated subquery).
    # Joined through each side's profile instead, the planner took 10 ms to order the joins
    # (make bench: mentor home, 14 ms planning -> 4 ms).
    own = Profile.objects.filter(user=viewer)
    mine = {f"rel_my_{flag}": Subquery(own.values(f"connect_{flag}")[:1]) for flag in FLAGS}
    return matches.annotate(
        rel_next_due=F("support__next_due"), rel_checkins_done=F("support__checkins_done"),
        rel_milestone=Subquery(newest.values("what")[:1]), rel_milestone_on=Subquery(newest.values("happened_on")[:1]),
        rel_mea_reach=Subquery(MEAProfile.objects.visible_to(viewer).filter(user=OuterRef("mea")).values("how_to_reach")[:1]),
        **mine,
    )


def relationship(match: Match, viewer: User) -> Relationship:
    """The relationship as its mentor or mentee sees it: no query if `match` came through
    `with_relationship`, otherwise one (the match comes with both profiles)."""
    if not hasattr(match, "rel_checkins_done"):
        match = with_relationship(Match.objects.filter(pk=match.pk), viewer).select_related(
            "mentor__profile", "mentee__profile", "mea__profile").get()
    row = {key.removeprefix("rel_"): value for key, value in vars(match).items() if key.startswith("rel_")}
    is_mentor = match.mentor_id == viewer.pk
    other = match.mentee if is_mentor else match.mentor
    theirs = getattr(other, "profile", None)
    mine = Profile(**{f"connect_{flag}": bool(row.get(f"my_{flag}")) for flag in FLAGS})
    shared = [m for m in (theirs.connect_methods if theirs else []) if m in mine.connect_methods]
    days = (timezone.now() - match.started_at).days
    done = row.get("checkins_done") or 0
    next_due = row.get("next_due")
    if next_due is None:  # no MatchSupport row until the first beat run or check-in
        next_due = first_due(timezone.localdate(match.started_at), 0, None)
    milestone_on = row.get("milestone_on")
    celebrating = bool(milestone_on and (timezone.localdate() - milestone_on).days <= 14)
    return Relationship(
        match=match, other=other, other_role=_("mentee") if is_mentor else _("mentor"),
        shared_methods=shared, reach_other=_reach(theirs, other),
        next_due=next_due, checkins_done=done,
        milestone=row.get("milestone"), milestone_on=milestone_on, mea_reach=row.get("mea_reach") or "",
        way=way_for_stage(days_together=days, checkins_done=done, celebrating=celebrating), days_together=days,
    )


def _toolkit_link(way) -> tuple[str, str]:
    return (reverse("community:toolkit") + f"#way-{way[0]}",
            _("Toolkit: %(way)s") % {"way": way[1]})


def for_member(user: User, match: Match | None, *, proposals=(), is_mentor: bool) -> tuple[NextStep, Relationship | None]:
    """The next step of a mentor or a mentee, and their current relationship (None if unmatched).

    `proposals` are the open proposals the page already read (no query here).
    """
    waiting_on_me = [p for p in proposals if (p.mentor_accepted_at is None if is_mentor else p.mentee_accepted_at is None)]
    if waiting_on_me:
        p = waiting_on_me[0]
        other = p.mentee if is_mentor else p.mentor
        return NextStep(
            title=_("Answer %(name)s's proposal") % {"name": other.display_name},
            lines=[_("It expires on %(when)s. Take the time you need: saying no is fine, and they will not see a reason.")
                   % {"when": format_moment(p.expires_at)}],
            url=reverse("matches:proposal_detail", args=[p.pk]), label=_("Read and answer"),
        ), (relationship(match, user) if match else None)
    if match is None and proposals:
        p = proposals[0]
        other = p.mentee if is_mentor else p.mentor
        return NextStep(
            title=_("Waiting for %(name)s to answer") % {"name": other.display_name},
            lines=[_("They have until %(when)s, and you are told either way.") % {"when": format_moment(p.expires_at)},
                   _("Meanwhile, the toolkit has the ways of mentoring and questions to start with.")],
            url=reverse("matches:proposal_detail", args=[p.pk]), label=_("See the proposal"),
            more=[(reverse("community:toolkit"), _("Read the toolkit"))],
        ), None
    if match is None:
        if is_mentor:
            return NextStep(
                title=_("No mentee yet"),
                lines=[_("When a coordinator proposes a mentee, or a mentee asks you, it appears here for you to answer."),
                       _("Meanwhile, the toolkit has the ways of mentoring and questions to start with.")],
                url=reverse("community:toolkit"), label=_("Read the toolkit"), empty=True,
            ), None
        return NextStep(
            title=_("Find a mentor"),
            lines=[_("Tell us what you hope for in a mentor; proposals from mentors and coordinators appear here."),
                   _("Meanwhile, the chat board is open for a one-off talk with another member.")],
            url=reverse("matches:mentee_preferences"), label=_("Say what you hope for"),
            more=[(reverse("community:board"), _("Open the chat board"))], empty=True,
        ), None
    rel = relationship(match, user)
    name = rel.other.display_name
    lines = []
    if rel.shared_methods:
        lines.append(_("You both like to connect by %(ways)s.") % {"ways": ", ".join(rel.shared_methods)})
    lines.append(_("Reach %(name)s — %(how)s") % {"name": name, "how": "; ".join(rel.reach_other)})
    if rel.is_new:
        title = _("Agree with %(name)s how and when you will first meet") % {"name": name}
    elif rel.overdue:
        title = _("Your check-in is overdue: your MEA will be in touch, or reach them first")
    else:
        title = _("Keep meeting %(name)s; next check-in by %(day)s") % {"name": name, "day": format_day(rel.next_due)}
    if not rel.overdue:
        lines.append(_("Next check-in with your MEA: by %(day)s.") % {"day": format_day(rel.next_due)})
    if rel.milestone:
        lines.append(_("To celebrate: %(what)s (%(day)s).") % {"what": rel.milestone, "day": format_day(rel.milestone_on)})
    if match.mea_id:
        reach = rel.mea_reach or match.mea.email
        lines.append(_("Your MEA, %(name)s: %(how)s") % {"name": match.mea.display_name, "how": reach})
    else:
        lines.append(_("No MEA is assigned yet; program staff answer any concern meanwhile."))
    return NextStep(
        title=title, lines=lines, url=reverse("matches:match_detail", args=[match.pk]), label=_("Open your match"),
        more=[_toolkit_link(rel.way)],
    ), rel


