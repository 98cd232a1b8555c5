"""Property-based tests of every POST endpoint of matches: bad, oversized, NUL-laden,
wrong-typed or missing input, other people's ids, replayed or expired signed links and
double submits get a form error or a clear 4xx, never a 500, and save nothing."""

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from matches.links import SALT, link_make
from matches.models import Match, MenteePreference, MentorApplication, MentorProfile, Proposal, UsedLink
from matches.tests.factories import MatchFactory, MentorApplicationFactory, ProposalFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import TopicFactory, member
from tests.fuzzing import (
    ACCEPTED,
    BIG,
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
)

pytestmark = pytest.mark.django_db

FUZZED = {
    "matches:mentor_apply", "matches:application_review", "matches:mentor_status", "matches:mentor_capacity",
    "matches:mentee_preferences", "matches:proposal_ask", "matches:proposal_offer", "matches:proposal_propose",
    "matches:proposal_accept", "matches:proposal_decline", "matches:proposal_withdraw", "matches:proposal_link",
    "matches:match_end", "matches:cohort",
}
STATE = State("matches", "profiles")


def test_every_post_endpoint_of_matches_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("matches", FUZZED)


@pytest.fixture
def w(group, other_group):
    """Two groups: a waiting mentee, an available mentor and a coordinator in each."""
    return SimpleNamespace(
        group=group, other_group=other_group,
        mentee=member(Role.MENTEE, group), mentor=approved_mentor(group), coordinator=member(Role.COORDINATOR, group),
        other_mentee=member(Role.MENTEE, other_group), other_mentor=approved_mentor(other_group),
        other_coordinator=member(Role.COORDINATOR, other_group), outsider=member(Role.MENTEE, other_group),
        topic=TopicFactory(),
    )


# --- Becoming a mentor ------------------------------------------------------------------


@FUZZ
@given(data=fields(["group", "months_in_group", "experiences", "capacity"]),
       qualities=st.lists(st.one_of(st.sampled_from(["experience", "compassion"]), junk), max_size=3),
       topics=st.lists(ids, max_size=2), other_group=st.booleans())
def test_a_mentor_application_with_any_input_is_a_form_error_or_one_application(w, data, qualities, topics,
                                                                                 other_group):
    if other_group:
        data["group"] = str(w.other_group.pk)  # a group they do not belong to
    with rolled_back():
        applicant = member(None, w.group)
        client = as_(applicant)
        _, verdict = send(client, reverse("matches:mentor_apply"),
                          {**data, "qualities": qualities, "topics": topics}, state=STATE)
        assert MentorApplication.objects.filter(applicant=applicant).count() == (verdict == ACCEPTED)


def test_a_double_submitted_mentor_application_is_saved_once(w):
    applicant = member(None, w.group)
    client = as_(applicant)
    data = {"group": w.group.pk, "months_in_group": 14, "qualities": ["experience"], "capacity": 2}
    assert send(client, reverse("matches:mentor_apply"), data, state=STATE)[1] == ACCEPTED
    assert send(client, reverse("matches:mentor_apply"), data, state=STATE)[1] == REFUSED
    assert MentorApplication.objects.filter(applicant=applicant).count() == 1


@FUZZ
@given(data=fields(["decision", "note"], st.one_of(st.sampled_from(["approve", "decline"]), junk)),
       pk=st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids))
def test_reviewing_an_application_with_any_input_never_500s_or_reviews_another_groups(w, data, pk):
    with rolled_back():
        mine = MentorApplicationFactory(applicant=member(None, w.group), group=w.group)
        theirs = MentorApplicationFactory(applicant=member(None, w.other_group), group=w.other_group)
        target = {"mine": mine.pk, "theirs": theirs.pk}.get(pk, pk)
        response, verdict = send(as_(w.coordinator), reverse("matches:application_review", args=[target]), data,
                                 state=STATE)
        if pk != "mine":
            assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.status == MentorApplication.Status.PENDING


def test_an_application_approved_twice_is_reviewed_once(w):
    application = MentorApplicationFactory(applicant=member(None, w.group), group=w.group)
    url = reverse("matches:application_review", args=[application.pk])
    client = as_(w.coordinator)
    assert send(client, url, {"decision": "approve"}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {"decision": "decline"}, state=STATE)[1] == REFUSED
    application.refresh_from_db()
    assert application.status == MentorApplication.Status.APPROVED
    assert MentorProfile.objects.filter(user=application.applicant).count() == 1


@FUZZ
@given(action=st.one_of(st.sampled_from(["pause", "resume", "retire"]), junk), capacity=junk)
def test_a_mentors_status_and_capacity_with_any_input_never_500(w, action, capacity):
    client = as_(w.mentor)
    with rolled_back():
        send(client, reverse("matches:mentor_status"), {"action": action}, state=STATE)
        _, verdict = send(client, reverse("matches:mentor_capacity"), {"capacity": capacity}, state=STATE)
        profile = MentorProfile.objects.get(user=w.mentor)
        assert 1 <= profile.capacity <= 10
        if verdict == ACCEPTED:
            assert profile.capacity == int(capacity)


@FUZZ
@given(data=fields(["preferred_gender", "gender_required", "note"]), topics=st.lists(ids, max_size=2))
def test_mentee_preferences_with_any_input_are_a_form_error_or_saved_whole(w, data, topics):
    with rolled_back():
        send(as_(w.mentee), reverse("matches:mentee_preferences"), {**data, "topics": topics}, state=STATE)
        assert MenteePreference.objects.filter(mentee=w.mentee).count() <= 1


# --- Starting a proposal ------------------------------------------------------------------


@FUZZ
@given(data=fields(["reason", "confirm_not_close"], bool_junk),
       whom=st.one_of(st.sampled_from(["mine", "other group", "a mentee"]), huge_ids))
def test_asking_a_mentor_with_any_input_or_anyones_id_is_a_form_error_a_404_or_one_proposal(w, data, whom):
    target = {"mine": w.mentor.pk, "other group": w.other_mentor.pk, "a mentee": w.other_mentee.pk}.get(whom, whom)
    with rolled_back():
        response, verdict = send(as_(w.mentee), reverse("matches:proposal_ask", args=[target]), data, state=STATE)
        if whom != "mine":
            assert response.status_code == 404
        assert Proposal.objects.filter(mentee=w.mentee).count() == (verdict == ACCEPTED)


@FUZZ
@given(data=fields(["reason", "confirm_not_close"], bool_junk),
       whom=st.one_of(st.sampled_from(["mine", "other group", "a mentor"]), huge_ids))
def test_offering_to_a_mentee_with_any_input_or_anyones_id_is_a_form_error_a_404_or_one_proposal(w, data, whom):
    target = {"mine": w.mentee.pk, "other group": w.other_mentee.pk, "a mentor": w.other_mentor.pk}.get(whom, whom)
    with rolled_back():
        response, verdict = send(as_(w.mentor), reverse("matches:proposal_offer", args=[target]), data, state=STATE)
        if whom != "mine":
            assert response.status_code == 404
        assert Proposal.objects.filter(mentor=w.mentor).count() == (verdict == ACCEPTED)


def test_a_double_submitted_ask_or_offer_opens_one_proposal(w):
    ask = reverse("matches:proposal_ask", args=[w.mentor.pk])
    assert send(as_(w.mentee), ask, {"confirm_not_close": "on"}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.mentee), ask, {"confirm_not_close": "on"}, state=STATE)[1] == REFUSED
    offer = reverse("matches:proposal_offer", args=[w.other_mentee.pk])
    assert send(as_(w.other_mentor), offer, {"confirm_not_close": "on"}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.other_mentor), offer, {"confirm_not_close": "on"}, state=STATE)[1] == REFUSED
    assert Proposal.objects.count() == 2


people = st.one_of(st.sampled_from(["mentee", "mentor", "other_mentee", "other_mentor", "coordinator"]), ids)


@FUZZ
@given(mentee=people, mentor=people, reason=junk)
def test_a_coordinators_proposal_with_any_ids_proposes_only_within_their_groups(w, mentee, mentor, reason):
    def pk(value):
        return getattr(w, value).pk if hasattr(w, str(value)) else value

    with rolled_back():
        _, verdict = send(as_(w.coordinator), reverse("matches:proposal_propose"),
                          {"mentee": pk(mentee), "mentor": pk(mentor), "reason": reason}, state=STATE)
        if verdict == ACCEPTED:
            proposal = Proposal.objects.get()
            assert (proposal.mentee, proposal.mentor) == (w.mentee, w.mentor)


def test_a_double_submitted_coordinator_proposal_opens_one_proposal(w):
    data = {"mentee": w.mentee.pk, "mentor": w.mentor.pk}
    assert send(as_(w.coordinator), reverse("matches:proposal_propose"), data, state=STATE)[1] == ACCEPTED
    assert send(as_(w.coordinator), reverse("matches:proposal_propose"), data, state=STATE)[1] == REFUSED
    assert Proposal.objects.count() == 1


@FUZZ
@given(pairs=st.lists(st.one_of(
    junk, st.sampled_from(["mine", "cross", "theirs"]),
    st.tuples(st.integers(min_value=0, max_value=BIG * 10), st.integers(min_value=0, max_value=BIG * 10))
    .map(lambda t: f"{t[0]}:{t[1]}"),
), max_size=4))
def test_a_cohort_assignment_with_any_pairs_proposes_only_within_the_coordinators_groups(w, pairs):
    names = {"mine": f"{w.mentee.pk}:{w.mentor.pk}", "cross": f"{w.mentee.pk}:{w.other_mentor.pk}",
             "theirs": f"{w.other_mentee.pk}:{w.other_mentor.pk}"}
    with rolled_back():
        response = as_(w.coordinator).post(reverse("matches:cohort"), {"pairs": [names.get(p, p) for p in pairs]})
        assert response.status_code == 302
        proposals = list(Proposal.objects.values_list("mentee", "mentor"))
        assert proposals in ([], [(w.mentee.pk, w.mentor.pk)])


def test_a_double_submitted_cohort_assignment_proposes_once(w):
    data = {"pairs": [f"{w.mentee.pk}:{w.mentor.pk}"] * 2}
    as_(w.coordinator).post(reverse("matches:cohort"), data)
    as_(w.coordinator).post(reverse("matches:cohort"), data)
    assert Proposal.objects.count() == 1


# --- Answering a proposal -------------------------------------------------------------------


@pytest.fixture
def proposal(w):
    return ProposalFactory(mentor=w.mentor, mentee=w.mentee, group=w.group)


@FUZZ
@given(action=st.sampled_from(["accept", "decline", "withdraw"]), data=fields(["confirm_not_close"], bool_junk),
       who=st.sampled_from(["mentee", "mentor", "coordinator", "other_mentor", "other_coordinator", "outsider"]))
def test_answering_a_proposal_with_any_input_as_anyone_is_an_answer_an_error_or_a_404(w, proposal, action, data, who):
    with rolled_back():
        response, _ = send(as_(getattr(w, who)), reverse(f"matches:proposal_{action}", args=[proposal.pk]), data,
                           state=STATE)
        if who.startswith(("other", "outsider")):
            assert response.status_code == 404


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw"])
def test_answering_a_proposal_that_does_not_exist_is_a_404(w, action):
    for pk in (0, BIG - 1, BIG * 10**6):
        assert send(as_(w.mentee), reverse(f"matches:proposal_{action}", args=[pk]), {}, state=STATE)[0].status_code == 404


def test_a_double_submitted_answer_counts_once(w, proposal):
    url = reverse("matches:proposal_accept", args=[proposal.pk])
    assert send(as_(w.mentee), url, {"confirm_not_close": "on"}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.mentee), url, {"confirm_not_close": "on"}, state=STATE)[1] == REFUSED
    assert send(as_(w.mentor), url, {"confirm_not_close": "on"}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.mentor), url, {"confirm_not_close": "on"}, state=STATE)[1] == REFUSED
    assert Match.objects.filter(mentee=w.mentee).count() == 1
    decline = reverse("matches:proposal_decline", args=[proposal.pk])
    assert send(as_(w.mentor), decline, {}, state=STATE)[1] == REFUSED  # already a match


def test_a_double_submitted_decline_or_withdraw_changes_nothing_the_second_time(w, proposal):
    other = ProposalFactory(mentor=w.mentor, mentee=member(Role.MENTEE, w.group), group=w.group)
    for url, who in ((reverse("matches:proposal_decline", args=[proposal.pk]), w.mentee),
                     (reverse("matches:proposal_withdraw", args=[other.pk]), w.coordinator)):
        assert send(as_(who), url, {}, state=STATE)[1] == ACCEPTED
        assert send(as_(who), url, {}, state=STATE)[1] == REFUSED


# --- Signed email links ---------------------------------------------------------------------


def link(proposal, user, action="accept"):
    return reverse("matches:proposal_link", kwargs={"token": link_make(proposal_id=proposal.pk, user_id=user.pk,
                                                                       action=action)})


@FUZZ
@given(token=st.one_of(st.text(min_size=1, max_size=300), st.binary(min_size=1, max_size=100).map(lambda b: b.hex())),
       method=st.sampled_from(["get", "post"]), data=fields(["confirm_not_close"], bool_junk))
def test_a_forged_or_garbled_link_is_refused_and_changes_nothing(w, proposal, token, method, data):
    path = "/matches/link/" + quote(token, safe="") + "/"
    with rolled_back():
        response = Client(raise_request_exception=False).generic(
            method.upper(), path, "&".join(f"{k}={v}" for k, v in data.items()) if method == "post" else "",
            content_type="application/x-www-form-urlencoded")
        assert response.status_code in (404, 410)
        assert not UsedLink.objects.exists() and not Match.objects.exists()


@FUZZ
@given(tamper=st.sampled_from(["p", "u", "a", "sig", "payload"]), action=st.sampled_from(["accept", "decline"]))
def test_a_tampered_link_is_refused(w, proposal, tamper, action):
    with rolled_back():
        claim = {"p": proposal.pk, "u": w.mentee.pk, "a": action, "n": "n0nce"}
        if tamper == "p":
            claim["p"] = ProposalFactory(mentor=w.other_mentor, mentee=w.other_mentee, group=w.other_group).pk
        elif tamper == "u":
            claim["u"] = w.other_mentee.pk
        elif tamper == "a":
            claim["a"] = "withdraw"
        token = signing.TimestampSigner(salt=SALT).sign_object(claim)
        if tamper == "sig":
            token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        elif tamper == "payload":
            token = signing.TimestampSigner(salt=SALT).sign_object({"p": [1], "u": None, "a": 3})
        before = STATE.take()
        response = Client(raise_request_exception=False).post(
            reverse("matches:proposal_link", kwargs={"token": token}), {"confirm_not_close": "on"})
        assert response.status_code in (404, 410)
        assert not STATE.changed(before)


def test_a_replayed_link_works_once(w, proposal):
    url = link(proposal, w.mentee, "decline")
    client = Client(raise_request_exception=False)
    assert client.post(url).status_code == 200
    before = STATE.take()
    replay = client.post(url)
    assert replay.status_code == 410 and not STATE.changed(before)
    assert client.get(url).status_code == 410
    assert UsedLink.objects.count() == 1


def test_an_expired_link_is_refused_and_changes_nothing(w, proposal, settings):
    url = link(proposal, w.mentee)
    settings.PROPOSAL_EXPIRE_AFTER = 0
    before = STATE.take()
    response = Client(raise_request_exception=False).post(url, {"confirm_not_close": "on"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not STATE.changed(before)


def test_someone_elses_link_is_a_404_for_a_signed_in_person(w, proposal):
    response = as_(w.mentor).post(link(proposal, w.mentee), {"confirm_not_close": "on"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is None and not UsedLink.objects.exists()


def test_an_accept_link_without_the_confirmation_is_refused_and_stays_usable(w, proposal):
    url = link(proposal, w.mentee)
    client = Client(raise_request_exception=False)
    assert client.post(url, {"confirm_not_close": ""}).status_code == 400
    assert not UsedLink.objects.exists()
    assert client.post(url, {"confirm_not_close": "on"}).status_code == 200
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is not None


# --- Ending a match ------------------------------------------------------------------------


@FUZZ
@given(data=fields(["reason", "gratitude_note", "rating"]),
       who=st.sampled_from(["mentee", "mentor", "coordinator", "other_mentor", "outsider"]))
def test_ending_a_match_with_any_input_as_anyone_ends_it_whole_or_changes_nothing(w, data, who):
    with rolled_back():
        match = MatchFactory(mentor=w.mentor, mentee=w.mentee, group=w.group)
        response, verdict = send(as_(getattr(w, who)), reverse("matches:match_end", args=[match.pk]), data,
                                 state=STATE)
        if who in ("other_mentor", "outsider"):
            assert response.status_code == 404
        match.refresh_from_db()
        assert (match.status == Match.Status.ENDED) == (verdict == ACCEPTED)


def test_a_double_submitted_ending_ends_the_match_once(w):
    match = MatchFactory(mentor=w.mentor, mentee=w.mentee, group=w.group)
    url = reverse("matches:match_end", args=[match.pk])
    assert send(as_(w.mentee), url, {"reason": "moving"}, state=STATE)[1] == ACCEPTED
    assert send(as_(w.mentee), url, {"reason": "moving"}, state=STATE)[1] == REFUSED
    assert send(as_(w.mentor), url, {"reason": "also"}, state=STATE)[1] == REFUSED
    match.refresh_from_db()
    assert match.end_reason == "moving"
