"""Property-based tests of every POST endpoint of support (MEA contact details, MEA
assignment, check-ins, self check-ins, milestones): bad, oversized, NUL-laden,
wrong-typed or missing input, other people's ids and double submits get a form
error or a clear 4xx, never a 500, and save nothing (not even half)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from escalations.models import Concern
from escalations.routing import SITUATIONS_BY_KEY
from matches.models import Match
from notifications.models import Notice
from profiles.models import Role
from profiles.tests.factories import member
from support import surveys
from support.forms import CheckInForm, MilestoneForm, SelfCheckInForm
from support.models import CheckIn, CheckInRequest, MEAProfile, Milestone, Survey
from support.tests.factories import CheckInRequestFactory, supported_match
from tests.fuzzing import (
    ACCEPTED,
    FUZZ,
    REFUSED,
    State,
    as_,
    as_posted,
    assert_every_post_endpoint_is_fuzzed,
    fields,
    huge_ids,
    ids,
    junk,
    rolled_back,
    send,
    spoiled,
)

pytestmark = pytest.mark.django_db

FUZZED = {
    "support:mea_profile_edit", "support:assign_mea", "support:checkin_create", "support:request_create",
    "support:milestone_create", "support:request_answer", "support:request_withdraw", "support:member_change",
    "support:pulse", "support:pulse_link", "support:closing_survey", "support:program_survey",
    "support:join_decide",  # fuzzed with the rest of joining, in tests/test_fuzz_joining.py
}
STATE = State("support", "escalations", "matches", "profiles")
whose = st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids)
situations = st.lists(st.one_of(st.sampled_from(sorted(SITUATIONS_BY_KEY)), junk), max_size=3)


def test_every_post_endpoint_of_support_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("support", FUZZED)


@pytest.fixture
def w(group, other_group):
    """A supported match in each of two groups, with its MEA and coordinator, and a spare MEA."""
    mea, other_mea = member(Role.MEA, group), member(Role.MEA, other_group)
    return SimpleNamespace(
        group=group, mea=mea, match=supported_match(group, mea), coordinator=member(Role.COORDINATOR, group),
        spare_mea=member(Role.MEA, group),
        other_mea=other_mea, other_match=supported_match(other_group, other_mea),
        other_coordinator=member(Role.COORDINATOR, other_group),
    )


def pick(w, which, mine, theirs):
    return {"mine": mine.pk, "theirs": theirs.pk}.get(which, which)


# --- The MEA's contact details ------------------------------------------------------------


@FUZZ
@given(how_to_reach=junk)
def test_the_mea_contact_form_with_any_input_is_a_form_error_or_saved_whole(w, how_to_reach):
    with rolled_back():
        _, verdict = send(as_(w.mea), reverse("support:mea_profile_edit"), {"how_to_reach": how_to_reach},
                          state=STATE)
        rows = MEAProfile.objects.filter(user=w.mea)
        # A refused form does not even leave an empty contact row behind.
        assert rows.count() == (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            assert rows.get().how_to_reach == how_to_reach.strip()


def test_the_mea_contact_form_sent_twice_keeps_one_row(w):
    for _ in range(2):
        assert send(as_(w.mea), reverse("support:mea_profile_edit"), {"how_to_reach": " Text me "},
                    state=STATE)[1] == ACCEPTED
    assert MEAProfile.objects.get(user=w.mea).how_to_reach == "Text me"


# --- Assigning the MEA --------------------------------------------------------------------


people = st.one_of(st.sampled_from(["spare_mea", "other_mea", "coordinator", "mea"]), ids)


@FUZZ
@given(mea=people, which=whose, extra=fields(["mea_id", "match"]))
def test_assigning_an_mea_with_any_ids_assigns_only_the_groups_meas_to_the_groups_matches(w, mea, which, extra):
    target = pick(w, which, w.match, w.other_match)
    mea_pk = getattr(w, mea).pk if hasattr(w, mea) else mea
    with rolled_back():
        response, verdict = send(as_(w.coordinator), reverse("support:assign_mea", args=[target]),
                                 {**extra, "mea": mea_pk}, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        w.match.refresh_from_db()
        w.other_match.refresh_from_db()
        assert w.other_match.mea == w.other_mea
        assert w.match.mea in (w.mea, w.spare_mea)
        assert (w.match.mea == w.spare_mea) == (verdict == ACCEPTED and mea == "spare_mea")


def test_an_mea_assigned_twice_is_assigned_and_announced_once(w):
    url, client = reverse("support:assign_mea", args=[w.match.pk]), as_(w.coordinator)
    assert send(client, url, {"mea": w.spare_mea.pk}, state=STATE)[1] == ACCEPTED
    before = STATE.take()
    send(client, url, {"mea": w.spare_mea.pk}, state=STATE)
    assert not STATE.changed(before)
    assert Notice.objects.filter(user=w.spare_mea).count() == 1


# --- Check-ins ----------------------------------------------------------------------------


def valid_checkin():
    return {"with_whom": "both", "held_on": timezone.localdate().isoformat(), "rating": "4", "meetings_held": "2",
            "meetings_cancelled": "0", "to_celebrate": "A first walk together", "worrying": "", "private_note": "ok"}


@FUZZ
@given(data=spoiled(valid_checkin()), situations=situations, which=whose)
def test_a_checkin_with_any_input_is_a_form_error_a_404_or_one_whole_checkin(w, data, situations, which):
    target = pick(w, which, w.match, w.other_match)
    with rolled_back():
        response, verdict = send(as_(w.mea), reverse("support:checkin_create", args=[target]),
                                 {**data, "situations": situations}, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert CheckIn.objects.filter(match=w.match).count() == (verdict == ACCEPTED)
        assert not CheckIn.objects.filter(match=w.other_match).exists()
        if verdict == ACCEPTED:
            checkin = CheckIn.objects.get()
            assert (checkin.rating, checkin.private_note) == (int(data["rating"]), data.get("private_note", "").strip())
            named = {s for s in situations if s in SITUATIONS_BY_KEY}
            assert Concern.objects.filter(match=w.match).count() == bool(named)


@pytest.mark.parametrize("who", ["other_mea", "spare_mea", "coordinator"])
def test_a_checkin_by_anyone_but_the_matchs_mea_is_a_404(w, who):
    response, _ = send(as_(getattr(w, who)), reverse("support:checkin_create", args=[w.match.pk]), valid_checkin(),
                       state=STATE)
    assert response.status_code == 404


def test_a_double_submitted_checkin_is_saved_once(w):
    url, client = reverse("support:checkin_create", args=[w.match.pk]), as_(w.mea)
    data = {**valid_checkin(), "worrying": "Talks of hurting someone", "situations": ["hurting_someone"]}
    assert send(client, url, data, state=STATE)[1] == ACCEPTED
    before = STATE.take()
    assert send(client, url, data, state=STATE)[1] == ACCEPTED  # same answer: "saved"
    assert not STATE.changed(before)
    assert CheckIn.objects.count() == 1 and Concern.objects.count() == 1
    # A different check-in the same day (with the mentee this time) is a new one.
    assert send(client, url, {**valid_checkin(), "with_whom": "mentee"}, state=STATE)[1] == ACCEPTED
    assert CheckIn.objects.count() == 2


# --- Self check-ins -----------------------------------------------------------------------


@FUZZ
@given(respondent=st.one_of(st.sampled_from(["mentor", "mentee"]), junk), which=whose, extra=fields(["match"]))
def test_asking_for_a_self_checkin_with_any_input_asks_one_person_of_the_meas_own_match(w, respondent, which, extra):
    target = pick(w, which, w.match, w.other_match)
    with rolled_back():
        response, verdict = send(as_(w.mea), reverse("support:request_create", args=[target]),
                                 {**extra, "respondent": respondent}, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        asked = list(CheckInRequest.objects.values_list("match", "respondent"))
        if verdict == ACCEPTED:
            assert asked == [(w.match.pk, getattr(w.match, respondent).pk)]
        else:
            assert asked == []


def test_a_double_submitted_self_checkin_request_asks_once(w):
    url = reverse("support:request_create", args=[w.match.pk])
    for _ in range(2):
        assert send(as_(w.mea), url, {"respondent": "mentee"}, state=STATE)[1] == ACCEPTED
    assert CheckInRequest.objects.count() == 1


@pytest.fixture
def asked(w):
    """A pending self check-in for the mentor of `w.match`, and one for the other group's mentor."""
    return SimpleNamespace(mine=CheckInRequestFactory(match=w.match, respondent=w.match.mentor),
                           theirs=CheckInRequestFactory(match=w.other_match, respondent=w.other_match.mentor))


def valid_answer():
    return {"rating": "2", "meetings_held": "1", "meetings_cancelled": "3", "to_celebrate": "", "worrying": "tired"}


@FUZZ
@given(data=spoiled(valid_answer()), situations=situations, which=whose)
def test_answering_a_self_checkin_with_any_input_answers_ones_own_once_or_changes_nothing(w, asked, data, situations,
                                                                                          which):
    target = pick(w, which, asked.mine, asked.theirs)
    with rolled_back():
        response, verdict = send(as_(w.match.mentor), reverse("support:request_answer", args=[target]),
                                 {**data, "situations": situations}, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        asked.mine.refresh_from_db()
        asked.theirs.refresh_from_db()
        assert asked.theirs.status == CheckInRequest.Status.PENDING
        assert (asked.mine.status == CheckInRequest.Status.ANSWERED) == (verdict == ACCEPTED)


def test_a_self_checkin_asked_of_someone_else_is_a_404(w, asked):
    for who in (w.match.mentee, w.mea, w.other_match.mentor):
        response, _ = send(as_(who), reverse("support:request_answer", args=[asked.mine.pk]), valid_answer(),
                           state=STATE)
        assert response.status_code == 404


def test_a_double_submitted_self_checkin_answer_counts_once(w, asked):
    url = reverse("support:request_answer", args=[asked.mine.pk])
    data = {**valid_answer(), "situations": ["actively_suicidal"]}
    assert send(as_(w.match.mentor), url, data, state=STATE)[1] == ACCEPTED
    response, verdict = send(as_(w.match.mentor), url, data, state=STATE)
    assert verdict == REFUSED and response.status_code == 404  # no longer waiting for an answer
    assert Concern.objects.count() == 1


@FUZZ
@given(which=whose, who=st.sampled_from(["mea", "other_mea", "spare_mea", "coordinator"]), extra=fields(["status"]))
def test_withdrawing_a_self_checkin_as_anyone_withdraws_only_the_meas_own(w, asked, which, who, extra):
    target = pick(w, which, asked.mine, asked.theirs)
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("support:request_withdraw", args=[target]), extra,
                                 state=STATE)
        if (which, who) != ("mine", "mea"):
            assert response.status_code == 404
        asked.theirs.refresh_from_db()
        assert asked.theirs.status == CheckInRequest.Status.PENDING


def test_a_double_submitted_withdrawal_withdraws_once(w, asked):
    url = reverse("support:request_withdraw", args=[asked.mine.pk])
    assert send(as_(w.mea), url, {}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.mea), url, {}, state=STATE)[1] == REFUSED
    # Withdrawn: the mentor can no longer answer it.
    assert send(as_(w.match.mentor), reverse("support:request_answer", args=[asked.mine.pk]), valid_answer(),
                state=STATE)[0].status_code == 404


# --- Milestones ---------------------------------------------------------------------------


@FUZZ
@given(data=spoiled({"what": "Six months!", "happened_on": "2026-01-05"}), which=whose,
       who=st.sampled_from(["mea", "mentor", "mentee", "other_mea", "coordinator"]))
def test_a_milestone_with_any_input_by_anyone_is_one_milestone_an_error_or_a_404(w, data, which, who):
    target = pick(w, which, w.match, w.other_match)
    person = getattr(w.match, who) if who in ("mentor", "mentee") else getattr(w, who)
    with rolled_back():
        response, verdict = send(as_(person), reverse("support:milestone_create", args=[target]), data, state=STATE)
        # The other group's MEA may celebrate on their own match, "theirs".
        if who == "coordinator" or (which == "mine") == (who == "other_mea"):
            assert response.status_code == 404
        assert Milestone.objects.count() == (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            assert Milestone.objects.get().what == data["what"].strip()


def test_a_double_submitted_milestone_is_recorded_once(w):
    url = reverse("support:milestone_create", args=[w.match.pk])
    data = {"what": "First meeting in person", "happened_on": timezone.localdate().isoformat()}
    for _ in range(2):
        assert send(as_(w.match.mentee), url, data, state=STATE)[1] == ACCEPTED
    assert Milestone.objects.count() == 1


# --- Forms the form itself accepts must save, or be refused with words -----------------------


@FUZZ
@given(form=st.one_of(from_form(CheckInForm), from_form(SelfCheckInForm), from_form(MilestoneForm)))
def test_a_form_its_own_validation_accepts_never_fails_in_the_database(w, asked, form):
    # hypothesis.extra.django makes data each form accepts: the model, the database and
    # the service must agree with it (lengths, ranges, NULs, dates), or say why not.
    url = {CheckInForm: reverse("support:checkin_create", args=[w.match.pk]),
           SelfCheckInForm: reverse("support:request_answer", args=[asked.mine.pk]),
           MilestoneForm: reverse("support:milestone_create", args=[w.match.pk])}[type(form)]
    person = w.match.mentor if isinstance(form, SelfCheckInForm) else w.mea
    with rolled_back():
        send(as_(person), url, as_posted(form), state=STATE)


@FUZZ
@given(who=st.sampled_from(["member", "stranger"]), group_id=st.one_of(st.just("mine"), huge_ids),
       action=st.sampled_from(["appoint-mea", "retire-mea", "move", "remove", "delete"]),
       data=st.dictionaries(st.sampled_from(["to", "confirm"]), st.one_of(junk, st.just("1")), max_size=2))
def test_changing_a_member_with_any_input_never_500s_and_never_reaches_another_group(
        group, other_group, who, group_id, action, data):
    """The members page's buttons: only a member of one's own group changes; the rest is a 404 or a message."""
    from profiles.models import Membership

    coordinator = member(Role.COORDINATOR, group)
    person = member(Role.MENTEE, group if who == "member" else other_group)
    target_group = (group if who == "member" else other_group).pk if group_id == "mine" else group_id
    with rolled_back():
        response, _ = send(as_(coordinator), f"/support/members/{target_group}/{person.pk}/{action}/", data,
                           state=STATE)
        if who == "stranger":
            assert response.status_code == 404
            assert Membership.objects.filter(user=person, group=other_group).exists()


# --- The members' own voice: pulse, closing and program surveys -------------------------------


@FUZZ
@given(data=fields(["score", "comment", "worried"]), which=whose)
def test_a_pulse_with_any_input_is_a_form_error_a_404_or_one_whole_answer(w, data, which):
    target = pick(w, which, w.match, w.other_match)
    with rolled_back():
        response, verdict = send(as_(w.match.mentee), reverse("support:pulse", args=[target]), data, state=STATE,
                                 still_asking=True)
        if which != "mine":
            assert response.status_code == 404
        answers = Survey.objects.filter(match=w.match, respondent=w.match.mentee)
        # A worry is saved too, and answered with the guidance page (a 200 that is not an error).
        saved = verdict == ACCEPTED or response.status_code == 200 and "pulse-worried" in response.content.decode()
        assert answers.count() == saved
        assert not Survey.objects.filter(match=w.other_match).exists()


@FUZZ
@given(data=fields(["score", "comment", "worried"]), token=st.one_of(st.just("good"), junk))
def test_a_pulse_link_with_any_token_or_input_answers_at_most_once_and_never_500s(w, data, token):
    good = surveys.pulse_link_make(match_id=w.match.pk, user_id=w.match.mentor.pk,
                                   occurrence=surveys.pulse_occurrence(w.match))
    with rolled_back():
        client = as_(w.match.mentor)
        client.logout()
        path = reverse("support:pulse_link", args=[good]) if token == "good" else f"/support/pulse/{token}/"
        response = client.post(path, {"csrfmiddlewaretoken": "x", **data})
        assert response.status_code in (200, 301, 404, 409, 410)  # 301: a junk token that is no URL of ours
        assert Survey.objects.count() <= (token == "good")
        if Survey.objects.exists():
            assert Survey.objects.get().respondent == w.match.mentor


@FUZZ
@given(data=fields(["score", "comment"]), which=whose)
def test_a_closing_survey_with_any_input_answers_only_an_ended_match_of_ones_own_once(w, data, which):
    target = pick(w, which, w.match, w.other_match)
    with rolled_back():
        Match.objects.filter(pk__in=[w.match.pk, w.other_match.pk]).update(status="ended", ended_at=timezone.now())
        response, verdict = send(as_(w.match.mentor), reverse("support:closing_survey", args=[target]), data,
                                 state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert Survey.objects.filter(match=w.match).count() == (verdict == ACCEPTED)
        assert not Survey.objects.filter(match=w.other_match).exists()


@FUZZ
@given(score=junk)
def test_the_program_survey_with_any_score_saves_a_score_from_0_to_10_or_nothing(w, score):
    with rolled_back():
        _, verdict = send(as_(w.match.mentee), reverse("support:program_survey"), {"score": score}, state=STATE)
        assert Survey.objects.count() == (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            assert 0 <= Survey.objects.get().score <= 10
