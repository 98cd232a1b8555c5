"""The routing table, one test per row, and each rule around it, one test each.
route() is pure, so these need no database: the match is a stand-in with an `mea`."""

from types import SimpleNamespace

import pytest

from escalations.guidance import guides_for
from escalations.routing import GROUPS, SITUATIONS, SITUATIONS_BY_KEY, Kind, Tier, UnknownSituation, route

MEA = SimpleNamespace(pk=7, email="mea@example.org")
WITH_MEA = SimpleNamespace(mea=MEA)
NO_MEA = SimpleNamespace(mea=None)

# The table in docs: situation -> (tier, MEA told, staff told, guidance shown to the reporter on the spot)
TABLE = {
    "relational": (1, True, False, False),
    "communication": (1, True, False, False),
    "conflict": (1, True, False, False),
    "overwhelmed": (1, True, False, False),
    "boundaries": (1, True, False, False),
    "practical_question": (1, True, False, False),
    "suicidal_thoughts_plan": (2, True, True, True),  # the crisis line at once: a plan can turn imminent
    "victim_of_abuse": (2, True, True, False),
    "confessed_crime": (2, True, True, False),
    "traumatic_experience": (2, True, True, False),
    "harassed": (2, False, True, False),
    "discriminated": (2, False, True, False),
    "abusing_someone": (3, True, True, True),
    "actively_suicidal": (3, True, True, True),
    "decompensation": (3, True, True, True),
    "hurting_someone": (3, True, True, True),
}


def test_the_table_covers_every_situation_of_the_seed_and_nothing_else():
    assert set(TABLE) == set(SITUATIONS_BY_KEY)
    assert len(SITUATIONS) == 16


@pytest.mark.parametrize("key", list(TABLE))
def test_each_situation_routes_as_the_table_says(key):
    tier, mea_told, staff_told, guidance_first = TABLE[key]
    decision = route([key], "mentee", WITH_MEA)
    assert decision.tier == tier
    assert (decision.mea is MEA) is mea_told
    assert decision.notify_staff is staff_told
    assert bool(guides_for([key], "mentee")) is guidance_first


def test_situations_are_grouped_as_the_seed_groups_them():
    assert [g.heading for g in GROUPS] == [
        "MEA Support", "Staff Support", "Staff Support", "Professional services (emergencies)"]
    assert [s.key for s in SITUATIONS if s.group == "monitor"] == [
        "suicidal_thoughts_plan", "victim_of_abuse", "confessed_crime", "traumatic_experience"]
    assert SITUATIONS_BY_KEY["harassed"].label == "You are being harassed by your Mentee or MEA"


def test_the_highest_tier_wins_when_several_situations_are_named():
    assert route(["relational", "victim_of_abuse"], "mentee", WITH_MEA).tier == Tier.STAFF
    assert route(["relational", "victim_of_abuse", "decompensation"], "mentee", WITH_MEA).tier == Tier.EMERGENCY


def test_a_report_about_the_mea_never_reaches_that_mea():
    for key in TABLE:
        decision = route([key], "mea", WITH_MEA)
        assert decision.mea is None
        assert decision.notify_staff


def test_a_match_with_no_mea_sends_tier_one_to_staff():
    decision = route(["conflict"], "mentee", NO_MEA)
    assert decision.tier == Tier.MEA
    assert decision.mea is None and decision.notify_staff


def test_policy_violations_go_to_staff_only_even_with_other_situations():
    decision = route(["discriminated", "victim_of_abuse"], "mentee", WITH_MEA)
    assert decision.kind == Kind.POLICY
    assert decision.mea is None and decision.notify_staff


def test_monitor_situations_go_to_staff_and_the_mea():
    decision = route(["traumatic_experience"], "mentee", WITH_MEA)
    assert decision.kind == Kind.MONITOR
    assert decision.mea is MEA and decision.notify_staff
    assert not guides_for(["traumatic_experience"], "mentee")


def test_emergencies_show_guidance_first_then_tell_staff_and_mea():
    decision = route(["hurting_someone"], "mentee", WITH_MEA)
    assert [g.lines[0] for g in guides_for(["hurting_someone"], "mentee")] == ["emergency"]
    assert decision.notify_staff and decision.mea is MEA


def test_suicidal_thoughts_with_a_plan_go_to_staff_and_show_the_crisis_line_at_once():
    decision = route(["suicidal_thoughts_plan"], "mentee", WITH_MEA)
    assert decision.tier == Tier.STAFF
    assert [g.lines[0] for g in guides_for(["suicidal_thoughts_plan"], "mentee")] == ["crisis_call"]
    assert not guides_for(["victim_of_abuse"], "mentee")


def test_an_unknown_or_empty_situation_is_refused():
    with pytest.raises(UnknownSituation):
        route([], "mentee", WITH_MEA)
    with pytest.raises(UnknownSituation):
        route(["made_up"], "mentee", WITH_MEA)
    with pytest.raises(ValueError):
        route(["conflict"], "the neighbour", WITH_MEA)


def test_the_decision_explains_itself():
    reasons = route(["conflict"], "mea", NO_MEA).reasons
    assert any("no MEA" in r for r in reasons) and any("about the MEA" in r for r in reasons)


def test_a_report_about_oneself_goes_to_the_own_matchs_mea_as_the_table_says():
    decision = route(["overwhelmed"], "self", WITH_MEA)
    assert (decision.tier, decision.mea, decision.notify_staff) == (Tier.MEA, MEA, False)


def test_a_self_report_with_no_match_goes_to_staff():
    decision = route(["overwhelmed"], "self", None)
    assert decision.mea is None and decision.notify_staff


@pytest.mark.parametrize("key, first_line", [("actively_suicidal", "crisis_call"),
                                              ("suicidal_thoughts_plan", "crisis_call"),
                                              ("victim_of_abuse", "emergency")])
def test_a_self_report_of_danger_goes_to_staff_and_shows_where_to_get_help_first(key, first_line):
    """Thoughts of suicide lead with the crisis line; someone being hurt, with emergency services and
    then the domestic violence hotline (the guide that fits the situation)."""
    assert route([key], "self", WITH_MEA).notify_staff
    assert [g.lines[0] for g in guides_for([key], "self")] == [first_line]


def test_an_emergency_about_oneself_is_tier_three():
    decision = route(["actively_suicidal"], "self", NO_MEA)
    assert decision.tier == Tier.EMERGENCY
    assert [g.key for g in guides_for(["actively_suicidal"], "self")] == ["self"]


@pytest.mark.parametrize("about", ["member", "someone"])
@pytest.mark.parametrize("key", list(TABLE))
def test_a_report_about_someone_outside_a_match_goes_to_staff_only(about, key):
    decision = route([key], about, WITH_MEA)
    assert decision.mea is None and decision.notify_staff
    assert decision.tier == TABLE[key][0]
