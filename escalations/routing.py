"""The escalation router: the routing table as data and one pure function.

The situations and their grouping are the seed's ("A response for every
struggle", shared/seeds/000_*.txt): 1 MEA support; 2 staff support, either to
be monitored or against the program's policy; 3 professional services
(emergencies). `route()` reads no database and sends nothing: it takes the
situations, who the report is about and the match, and returns a Decision.
The services save that decision with the report and act on it.
"""

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from django.utils.translation import gettext_lazy as _


class Tier(IntEnum):
    MEA = 1
    STAFF = 2
    EMERGENCY = 3


class Kind(StrEnum):
    MEA = "mea"  # the match's MEA handles it
    MONITOR = "monitor"  # staff and the MEA are told, to monitor
    POLICY = "policy"  # against the program's policy: staff only
    EMERGENCY = "emergency"  # emergency guidance now, then staff and the MEA


class About(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    MEA = "mea"
    SELF = "self"  # the reporter, about themselves
    MEMBER = "member"  # a named person in the program, outside the reporter's match
    SOMEONE = "someone"  # someone at the program the reporter does not name


# Who a report is about within a match: the router tells that match's MEA (unless about the MEA).
MATCH_ROLES = (About.MENTEE, About.MENTOR, About.MEA)

ABOUT_CHOICES = [
    (About.MENTEE, _("The mentee")), (About.MENTOR, _("The mentor")), (About.MEA, _("The MEA")),
    (About.SELF, _("The reporter")), (About.MEMBER, _("A member of the program")),
    (About.SOMEONE, _("Someone at the program")),
]


@dataclass(frozen=True)
class Group:
    key: str
    heading: str
    subheading: str
    tier: Tier
    kind: Kind


# The seed's headings, in the seed's order.
GROUPS: tuple[Group, ...] = (
    Group("mea", _("MEA Support"), "", Tier.MEA, Kind.MEA),
    Group("monitor", _("Staff Support"),
          _("Situations that don't require immediate action but to be monitored"), Tier.STAFF, Kind.MONITOR),
    Group("policy", _("Staff Support"),
          _("Situations that require staff intervention and go against the program's policy"), Tier.STAFF, Kind.POLICY),
    Group("emergency", _("Professional services (emergencies)"), "", Tier.EMERGENCY, Kind.EMERGENCY),
)
GROUPS_BY_KEY = {g.key: g for g in GROUPS}


@dataclass(frozen=True)
class Situation:
    key: str
    label: str  # the seed's wording
    group: str  # a key of GROUPS

    @property
    def tier(self) -> Tier:
        return GROUPS_BY_KEY[self.group].tier

    @property
    def kind(self) -> Kind:
        return GROUPS_BY_KEY[self.group].kind

    @property
    def heading(self) -> str:
        return GROUPS_BY_KEY[self.group].heading


SITUATIONS: tuple[Situation, ...] = (
    # 1. MEA Support
    Situation("relational", _("Relational issues with your Mentee that couldn't be solved directly with them"), "mea"),
    Situation("communication", _("Communication issues with your Mentee (difficulty to get in touch and connect together)"),
              "mea"),
    Situation("conflict", _("Conflict with your Mentee that requires a third party to mediate"), "mea"),
    Situation("overwhelmed", _("You feel overwhelmed/burnt out by your role and need to talk about it"), "mea"),
    Situation("boundaries", _("Your Mentee is not respecting the boundaries that you've set together"), "mea"),
    Situation("practical_question", _("Any practical question about the program and requirements"), "mea"),
    # 2. Staff Support — to be monitored
    Situation("suicidal_thoughts_plan", _("Your Mentee has active thoughts of suicide and a plan for it"), "monitor"),
    Situation("victim_of_abuse", _("Your Mentee is currently victim of abuse"), "monitor"),
    Situation("confessed_crime", _("Your Mentee confessed having committed a crime"), "monitor"),
    Situation("traumatic_experience", _("Your Mentee has known a traumatic experience during the year of the program "
                                        "and is highly vulnerable"), "monitor"),
    # 2. Staff Support — against the program's policy
    Situation("harassed", _("You are being harassed by your Mentee or MEA"), "policy"),
    Situation("discriminated", _("You are being discriminated or victim of racism by your Mentee or MEA"), "policy"),
    # 3. Professional services (emergencies)
    Situation("abusing_someone", _("Your Mentee is actively abusing someone (partner, child)"), "emergency"),
    Situation("actively_suicidal", _("Your Mentee is actively suicidal and about to hurt themselves"), "emergency"),
    Situation("decompensation", _("Your Mentee is having a mental decompensation (psychotic break)"), "emergency"),
    Situation("hurting_someone", _("Your Mentee is planning on hurting someone"), "emergency"),
)
SITUATIONS_BY_KEY: dict[str, Situation] = {s.key: s for s in SITUATIONS}


def situation_labels(keys: list[str]) -> list[str]:
    return [str(SITUATIONS_BY_KEY[k].label) for k in keys if k in SITUATIONS_BY_KEY]


class UnknownSituation(ValueError):
    pass


@dataclass(frozen=True)
class Decision:
    """Where a report goes.

    `mea` is the one MEA to tell (the recipient besides staff), or None when the
    MEA must not or cannot be told. `notify_staff` says whether staff are told
    now (and may therefore read it). What the reporter sees on the spot (the
    crisis line, emergency guidance) is escalations.guidance's, by situation.
    """

    tier: Tier
    kind: Kind
    mea: object | None
    notify_staff: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


_TIER_WORDS = {Tier.MEA: "MEA", Tier.STAFF: "staff", Tier.EMERGENCY: "emergency"}
_KIND_RANK = {Kind.MEA: 0, Kind.MONITOR: 1, Kind.POLICY: 2, Kind.EMERGENCY: 3}


def route(situations: list[str], about: str, match) -> Decision:
    """Decide tier, recipients and guidance for a report. Pure: no I/O.

    Rules (shared/DESIGN.md, Escalations):
    - the highest tier among the situations wins ("when unsure, higher");
    - a report about the MEA never reaches that MEA: it goes to staff;
    - a match with no MEA sends tier-1 reports to staff;
    - policy violations go to staff only; monitor situations to staff and MEA;
    - emergencies show guidance first, then notify staff and MEA;
    - suicidal thoughts with a plan also show the crisis line to the reporter at once;
    - a report about oneself names the reporter's own match (or none): its MEA is told
      as for any report; one about oneself in danger (tier 2 or 3) shows the crisis line;
    - a report about someone outside a match (a named member, or someone at the
      program) has no MEA to tell: it goes to staff, whatever its tier.
    """
    if not situations:
        raise UnknownSituation("no situation named")
    unknown = [s for s in situations if s not in SITUATIONS_BY_KEY]
    if unknown:
        raise UnknownSituation(f"unknown situations: {unknown}")
    if about not in {a.value for a in About}:
        raise ValueError(f"unknown 'about': {about!r}")
    named = [SITUATIONS_BY_KEY[s] for s in dict.fromkeys(situations)]
    tier = max(s.tier for s in named)
    kind = max((s.kind for s in named), key=_KIND_RANK.__getitem__)
    tier_words = f"tier {int(tier)} ({_TIER_WORDS[tier]})"
    reasons = [f"the situation reported is {tier_words}" if len(named) == 1
               else f"{tier_words} is the highest of the {len(named)} situations reported"]

    mea = getattr(match, "mea", None) if match is not None else None
    tell_mea = True
    if about in (About.MEMBER, About.SOMEONE):
        mea = None
        tell_mea = False
        reasons.append("the report is about someone outside a match: no MEA to tell")
    elif mea is None:
        tell_mea = False
        reasons.append("the reporter has no match with an MEA" if about == About.SELF else "the match has no MEA")
    if about == About.MEA:
        tell_mea = False
        reasons.append("the report is about the MEA: it never reaches them")
    if any(s.kind == Kind.POLICY for s in named):
        tell_mea = False
        reasons.append("a policy violation goes to staff only")

    if tier == Tier.MEA:
        notify_staff = not tell_mea
        if notify_staff:
            reasons.append("tier 1 without an MEA to tell goes to staff")
    else:
        notify_staff = True
        reasons.append("staff are told of every tier-2 and tier-3 report")

    return Decision(
        tier=tier,
        kind=kind,
        mea=mea if tell_mea else None,
        notify_staff=notify_staff,
        reasons=tuple(reasons),
    )
