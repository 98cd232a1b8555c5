"""Property-based tests of every POST endpoint of escalations (the report form, the
reporter's debrief answer, the MEA inbox's acknowledge/start/note/resolve/escalate/
debrief-done actions): bad, oversized, NUL-laden, wrong-typed or missing input,
other people's ids and double submits get a form error or a clear 4xx, never a
500, and save nothing (not even half)."""

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from escalations import services
from escalations.models import Concern, ConcernEvent, Debrief
from escalations.routing import SITUATIONS_BY_KEY
from escalations.views import ACTIONS
from matches.tests.factories import MatchFactory
from profiles.models import Role
from profiles.tests.factories import member
from tests.fuzzing import (
    ACCEPTED,
    FUZZ,
    REFUSED,
    State,
    as_,
    assert_every_post_endpoint_is_fuzzed,
    bool_junk,
    fields,
    huge_ids,
    ids,
    junk,
    rolled_back,
    send,
    spoiled,
)

pytestmark = pytest.mark.django_db

FUZZED = {"escalations:report", "escalations:debrief_answer", "escalations:inbox_act", "escalations:add_details"}
STATE = State("escalations", "support", "matches", "profiles")
whose = st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids)
situations = st.lists(st.one_of(st.sampled_from(sorted(SITUATIONS_BY_KEY)), junk), max_size=3)


def test_every_post_endpoint_of_escalations_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("escalations", FUZZED)


def supported(group):
    mea = member(Role.MEA, group)
    return mea, MatchFactory(mentor=member(Role.MENTOR, group), mentee=member(Role.MENTEE, group), group=group, mea=mea)


@pytest.fixture
def w(group, other_group):
    """A match with its MEA in each of two groups, and a tier-1 report on each routed to that MEA."""
    mea, match = supported(group)
    other_mea, other_match = supported(other_group)
    raise_ = services.concern_raise
    return SimpleNamespace(
        mea=mea, match=match, other_mea=other_mea, other_match=other_match,
        concern=raise_(reporter=match.mentor, match=match, situations=["relational"], about="mentee"),
        other_concern=raise_(reporter=other_match.mentor, match=other_match, situations=["relational"], about="mentee"),
    )


def pick(which, mine, theirs):
    return {"mine": mine.pk, "theirs": theirs.pk}.get(which, which)


def fingerprint(concern):
    concern.refresh_from_db()
    return concern.status, concern.escalated_to_staff, concern.outcome, concern.events.count()


# --- The report form ----------------------------------------------------------------------


@FUZZ
@given(data=spoiled({"about": "mentee", "details": "We cannot agree on anything."}), match=st.one_of(whose, ids),
       situations=situations, after_guidance=st.one_of(st.none(), bool_junk))
def test_a_report_with_any_input_is_a_form_error_or_one_whole_report_at_the_first_submit(w, data, match, situations,
                                                                                          after_guidance):
    data = {**data, "match": pick(match, w.match, w.other_match), "situations": situations}
    if after_guidance is not None:
        data["after_guidance"] = after_guidance  # the old second click: now ignored
    reporter = w.match.mentor
    with rolled_back():
        before = Concern.objects.count()
        response, verdict = send(as_(reporter), reverse("escalations:report"), data, state=STATE, still_asking=True)
        if response.status_code == 200:
            assert "escalations/concern_form.html" in [t.name for t in response.templates]
        assert Concern.objects.count() == before + (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            concern = Concern.objects.latest("pk")
            assert (concern.reporter, concern.match) == (reporter, w.match)
            assert concern.details == data.get("details", "").strip()


def test_a_report_form_error_says_what_is_wrong(w):
    response, verdict = send(as_(w.match.mentor), reverse("escalations:report"),
                             {"match": w.other_match.pk, "situations": ["relational"], "about": "mentee"}, state=STATE)
    assert verdict == REFUSED and response.status_code == 200
    assert response.context["form"].errors["match"]


def test_a_double_submitted_report_is_one_report_told_once(w):
    client = as_(w.match.mentee)
    data = {"match": w.match.pk, "situations": ["actively_suicidal"], "about": "mentor", "details": "help"}
    assert send(client, reverse("escalations:report"), data, state=STATE)[1] == ACCEPTED
    before = STATE.take()
    response, verdict = send(client, reverse("escalations:report"), data, state=STATE)
    assert verdict == ACCEPTED and not STATE.changed(before)  # "sent": the same report, not a second one
    concern = Concern.objects.get(reporter=w.match.mentee)
    assert response.url == reverse("escalations:my_report", args=[concern.pk])
    assert Debrief.objects.filter(person=w.match.mentee).count() == 1


# --- Details added by the reporter afterwards ------------------------------------------------


@FUZZ
@given(details=st.one_of(st.just("He is at the station."), junk), which=whose,
       who=st.sampled_from(["mentor", "mentee", "mea"]), extra=fields(["status", "reporter", "tier"]))
def test_details_with_any_input_by_anyone_are_added_only_to_ones_own_report_and_whole(w, details, which, who, extra):
    person = getattr(w.match, who)
    theirs = w.other_concern.details
    with rolled_back():
        response, verdict = send(as_(person), reverse("escalations:add_details",
                                                      args=[pick(which, w.concern, w.other_concern)]),
                                 {**extra, "details": details}, state=STATE)
        if (which, who) != ("mine", "mentor"):
            assert response.status_code == 404
        w.concern.refresh_from_db()
        w.other_concern.refresh_from_db()
        assert w.other_concern.details == theirs and w.concern.tier == 1
        if verdict == ACCEPTED:
            assert w.concern.details.endswith(details.strip())


# --- The reporter's debrief answer --------------------------------------------------------


@pytest.fixture
def debriefs(w):
    """A staff-tier report by each group's mentor: each offers its reporter a debrief."""
    def raise_(match):
        return services.concern_raise(reporter=match.mentor, match=match, situations=["victim_of_abuse"],
                                      about="mentee").debrief

    return SimpleNamespace(mine=raise_(w.match), theirs=raise_(w.other_match))


@FUZZ
@given(answer=st.one_of(st.sampled_from(["accept", "decline"]), junk), which=whose,
       who=st.sampled_from(["mentor", "mentee", "mea"]), extra=fields(["status", "person"]))
def test_a_debrief_answer_with_any_input_by_anyone_answers_only_ones_own(w, debriefs, answer, which, who, extra):
    person = getattr(w.match, who)
    with rolled_back():
        response, verdict = send(as_(person), reverse("escalations:debrief_answer",
                                                      args=[pick(which, debriefs.mine, debriefs.theirs)]),
                                 {**extra, "answer": answer}, state=STATE)
        if (which, who) != ("mine", "mentor"):
            assert response.status_code == 404
        debriefs.mine.refresh_from_db()
        debriefs.theirs.refresh_from_db()
        assert debriefs.theirs.status == Debrief.Status.OFFERED
        expected = Debrief.Status.ACCEPTED if answer == "accept" else Debrief.Status.DECLINED
        assert debriefs.mine.status == (expected if verdict == ACCEPTED else Debrief.Status.OFFERED)


def test_a_double_submitted_debrief_answer_counts_once(w, debriefs):
    client, url = as_(w.match.mentor), reverse("escalations:debrief_answer", args=[debriefs.mine.pk])
    assert send(client, url, {"answer": "accept"}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {"answer": "accept"}, state=STATE)[1] == REFUSED
    assert ConcernEvent.objects.filter(what=ConcernEvent.What.DEBRIEF).count() == 1


# --- The MEA inbox ------------------------------------------------------------------------


def act(concern_pk, action):
    return f"/concerns/inbox/{quote(str(concern_pk), safe='')}/{quote(action, safe='')}/"


@FUZZ
@given(action=st.one_of(st.sampled_from(sorted(ACTIONS)), junk), which=whose,
       data=fields(["note", "outcome", "reason"], st.one_of(st.just("Talked with both."), junk)))
def test_an_inbox_action_with_any_input_changes_only_the_meas_own_report_and_whole(w, action, which, data):
    target = pick(which, w.concern, w.other_concern)
    theirs = fingerprint(w.other_concern)
    with rolled_back():
        events = w.concern.events.count()
        response, verdict = send(as_(w.mea), act(target, action), data, state=STATE)
        if which != "mine" or action not in ACTIONS:
            assert response.status_code == 404
        assert fingerprint(w.other_concern) == theirs
        assert w.concern.events.count() == events + (verdict == ACCEPTED)
        if verdict == ACCEPTED and action in ("note", "resolve", "escalate"):
            sent = data[{"note": "note", "resolve": "outcome", "escalate": "reason"}[action]]
            assert w.concern.events.latest("pk").note == sent.strip()


@pytest.mark.parametrize("who", ["other_mea", "reporter", "mentee"])
def test_an_inbox_action_by_anyone_but_the_routed_mea_is_a_404(w, who):
    person = {"other_mea": w.other_mea, "reporter": w.match.mentor, "mentee": w.match.mentee}[who]
    for action in sorted(ACTIONS):
        response, _ = send(as_(person), act(w.concern.pk, action), {"note": "x", "outcome": "x", "reason": "x"},
                           state=STATE)
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("field,action,limit", [("note", "note", 5000), ("outcome", "resolve", 2000),
                                                ("reason", "escalate", 2000)])
@pytest.mark.parametrize("bad", ["oversized", "nul"])
def test_an_oversized_or_nul_inbox_text_is_refused_with_a_message(w, field, action, limit, bad):
    services.concern_acknowledge(w.concern, w.mea)
    services.concern_start(w.concern, w.mea)  # a report being worked on can take any of the three
    bad = "x" * (limit + 1) if bad == "oversized" else "before\x00after"
    for sent in (bad, f"  {bad}  "):
        before = fingerprint(w.concern)
        _, verdict = send(as_(w.mea), act(w.concern.pk, action), {field: sent}, state=STATE)
        assert verdict == REFUSED and fingerprint(w.concern) == before
    # The same action with a fitting text is taken.
    assert send(as_(w.mea), act(w.concern.pk, action), {field: "x" * limit}, state=STATE)[1] == ACCEPTED


def test_double_submitted_inbox_actions_act_once(w):
    client = as_(w.mea)
    for action, data in (("acknowledge", {}), ("start", {}), ("resolve", {"outcome": "Talked it through."})):
        assert send(client, act(w.concern.pk, action), data, state=STATE)[1] == ACCEPTED
        assert send(client, act(w.concern.pk, action), data, state=STATE)[1] == REFUSED
    assert send(client, act(w.concern.pk, "note"), {"note": "Followed up."}, state=STATE)[1] == ACCEPTED
    assert send(client, act(w.concern.pk, "note"), {"note": "Followed up."}, state=STATE)[1] == ACCEPTED
    assert w.concern.events.filter(what=ConcernEvent.What.NOTE).count() == 1
    assert w.concern.events.filter(what=ConcernEvent.What.RESOLVED).count() == 1


def test_a_double_submitted_escalation_hands_over_once(w):
    client = as_(w.mea)
    assert send(client, act(w.concern.pk, "escalate"), {"reason": "Beyond me."}, state=STATE)[1] == ACCEPTED
    response, verdict = send(client, act(w.concern.pk, "escalate"), {"reason": "Beyond me."}, state=STATE)
    # Now staff handle it: the MEA no longer may, or is told staff already have it.
    assert verdict == REFUSED and response.status_code in (302, 404)
    assert w.concern.events.filter(what=ConcernEvent.What.ESCALATED).count() == 1


def test_marking_a_debrief_done_twice_or_before_it_was_accepted_is_refused(w, debriefs):
    concern = debriefs.mine.concern
    # A staff-tier report: staff handle it, so its MEA only sees it when it is routed to them.
    client = as_(debriefs.mine.owner or w.mea)
    url = act(concern.pk, "debrief_done")
    before = STATE.take()
    response, verdict = send(client, url, {}, state=STATE)
    assert verdict == REFUSED and not STATE.changed(before)  # not accepted yet (or not theirs)
    services.debrief_respond(debriefs.mine, w.match.mentor, accept=True)
    first = send(client, url, {}, state=STATE)
    second = send(client, url, {}, state=STATE)
    assert second[1] == REFUSED
    debriefs.mine.refresh_from_db()
    assert debriefs.mine.status == (Debrief.Status.DONE if first[1] == ACCEPTED else Debrief.Status.ACCEPTED)
