"""The situations in each reporter's own words.

The router knows one set of keys (routing.SITUATIONS, the seed's table, written
there for mentors). Each reporter sees the same keys worded for them: a mentor
about "your mentee", a mentee about "your mentor", an MEA about "the person" in
a match they support, a member about someone at the program. Reports about
oneself ("I am having thoughts of suicide") are offered as `me:<key>` and
routed as that key with about=self, so they skip "who is it about?".

The form asks the most urgent question first ("Is someone in danger right
now?"); the seed's internal headings ("MEA Support") are not shown to reporters.
"""

from django.utils.translation import gettext_lazy as _

MENTOR, MENTEE, MEA, MEMBER = "mentor", "mentee", "mea", "member"
SELF_PREFIX = "me:"

# Who "they" are, in each reporter's words: (sentence start, inside a sentence).
OTHER = {
    MENTOR: (_("Your mentee"), _("your mentee")),
    MENTEE: (_("Your mentor"), _("your mentor")),
    MEA: (_("Someone in a match you support"), _("someone in a match you support")),
    MEMBER: (_("Someone at the program"), _("someone at the program")),
}
# Who may be behind harassment or discrimination, in each reporter's words.
OFFENDER = {
    MENTOR: _("your mentee or your MEA"), MENTEE: _("your mentor or your MEA"),
    MEA: _("someone in a match you support"), MEMBER: _("someone at the program"),
}

# key -> wording with {Who}/{who} (about someone else).
FOR_OTHERS = {
    "actively_suicidal": _("{Who} is about to hurt themselves or end their life"),
    "abusing_someone": _("{Who} is hurting a partner or a child right now"),
    "hurting_someone": _("{Who} is planning to hurt someone"),
    "decompensation": _("{Who} is having a psychotic break (losing touch with reality)"),
    "suicidal_thoughts_plan": _("{Who} has thoughts of suicide and a plan"),
    "victim_of_abuse": _("{Who} is being abused (hurt again and again by someone in their life)"),
    "confessed_crime": _("{Who} told you they committed a crime"),
    "traumatic_experience": _("{Who} went through something traumatic (an assault, violence) and is very vulnerable"),
    "harassed": _("You are being harassed by {offender}"),
    "discriminated": _("You are being discriminated against, or treated with racism, by {offender}"),
    "relational": _("A problem between you and {who} that you could not solve together"),
    "communication": _("It is hard to get in touch and connect with {who}"),
    "conflict": _("A conflict with {who} that needs someone else to help settle it"),
    "boundaries": _("{Who} does not respect the boundaries you set together"),
}

# key -> wording about oneself (the reporter).
FOR_SELF = {
    "actively_suicidal": _("I am about to hurt myself, or I do not feel safe with myself right now"),
    "suicidal_thoughts_plan": _("I am having thoughts of suicide"),
    "victim_of_abuse": _("Someone is hurting me (at home or elsewhere)"),
    "traumatic_experience": _("Something traumatic happened to me and I feel very vulnerable"),
    "overwhelmed": _("I feel overwhelmed or burnt out and need to talk about it"),
    "practical_question": _("I have a practical question about the program"),
}

# The form's questions, most urgent first: (heading, [option keys]); "me:" options are about oneself.
SECTIONS = (
    (_("Is someone in danger right now?"),
     ["me:actively_suicidal", "actively_suicidal", "abusing_someone", "hurting_someone", "decompensation"]),
    (_("Is someone at risk, or are you being mistreated?"),
     ["me:suicidal_thoughts_plan", "suicidal_thoughts_plan", "me:victim_of_abuse", "victim_of_abuse",
      "me:traumatic_experience", "traumatic_experience", "confessed_crime", "harassed", "discriminated"]),
    (_("Do you need help with your match or the program?"),
     ["relational", "communication", "conflict", "boundaries", "me:overwhelmed", "me:practical_question"]),
)

# Within a match, these need the other person of a match; a member outside any match has none.
MATCH_ONLY = {"relational", "communication", "conflict", "boundaries"}


def option_label(option: str, perspective: str) -> str:
    if option.startswith(SELF_PREFIX):
        return str(FOR_SELF[option.removeprefix(SELF_PREFIX)])
    who_start, who = OTHER[perspective]
    return str(FOR_OTHERS[option]).format(Who=who_start, who=who, offender=OFFENDER[perspective])


def situation_choices(perspective: str) -> list[tuple[str, list[tuple[str, str]]]]:
    in_match = perspective != MEMBER
    return [
        (str(heading), [(o, option_label(o, perspective)) for o in options if in_match or o not in MATCH_ONLY])
        for heading, options in SECTIONS
    ]


def split_options(options: list[str]) -> tuple[list[str], list[str]]:
    """(keys about oneself, keys about someone else), each in the router's keys."""
    mine = [o.removeprefix(SELF_PREFIX) for o in options if o.startswith(SELF_PREFIX)]
    others = [o for o in options if not o.startswith(SELF_PREFIX)]
    return mine, others


def reported_labels(situations: list[str], about: str) -> list[str]:
    """What was reported, in the reporter's words where they exist (for their own report page)."""
    if about == "self":
        return [str(FOR_SELF.get(k, "")) or k for k in situations]
    who_start, who = _("The person"), _("the person")
    return [str(FOR_OTHERS[k]).format(Who=who_start, who=who, offender=_("someone at the program"))
            if k in FOR_OTHERS else str(FOR_SELF.get(k, k)) for k in situations]


# What a chat board report of "it worries me for someone's safety" may name, most urgent first.
SAFETY_KEYS = ("actively_suicidal", "abusing_someone", "hurting_someone", "decompensation", "suicidal_thoughts_plan",
               "victim_of_abuse", "traumatic_experience")


def safety_choices() -> list[tuple[str, str]]:
    return [(k, str(FOR_OTHERS[k]).format(Who=_("The person"), who=_("the person"), offender="")) for k in SAFETY_KEYS]
