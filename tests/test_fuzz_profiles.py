"""Property-based tests: the profile form, sign-up and the privacy POST endpoints answer
bad input with a form error or a clear 4xx, never a 500, and never save half of it; other people's erasure requests are a 404."""


import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from privacy.models import ErasureRequest
from profiles.forms import ProfileForm
from profiles.models import Profile, Role, User
from profiles.program import time_zone_names
from profiles.tests.factories import UserFactory, member
from tests.fuzzing import FUZZ as FUZZ_IDS
from tests.fuzzing import as_, assert_every_post_endpoint_is_fuzzed, huge_ids, rolled_back
from tests.fuzzing import send as send_judged

pytestmark = pytest.mark.django_db

FUZZED = {
    "profiles:edit", "profiles:time_zone", "privacy:erasure_request",
    "privacy:erasure_withdraw", "privacy:erasure_complete",
}


def test_every_post_endpoint_of_profiles_and_privacy_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("profiles", {name for name in FUZZED if name.startswith("profiles:")})
    assert_every_post_endpoint_is_fuzzed("privacy", {name for name in FUZZED if name.startswith("privacy:")})

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

junk = st.one_of(
    st.text(max_size=50),
    st.text(min_size=2000, max_size=5000),  # oversized
    st.integers().map(str),
    st.just(""),
    st.just("\x00"),
    st.lists(st.text(max_size=5), max_size=3).map(str),
)
profile_fields = [
    "display_name", "pronouns", "gender", "gender_self_described", "time_zone", "bio", "topics", "availability",
    "connect_in_person", "connect_phone", "connect_text", "connect_web", "phone", "discord",
]


def _snapshot(profile: Profile) -> dict:
    profile.refresh_from_db()
    values = {f: getattr(profile, f) for f in profile_fields if f != "topics"}
    values["topics"] = sorted(profile.topics.values_list("pk", flat=True))
    return values


@pytest.fixture
def signed_in():
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


@FUZZ
@given(data=st.fixed_dictionaries({}, optional={f: junk for f in profile_fields}))
def test_the_profile_form_never_500s_and_saves_all_or_nothing(signed_in, data):
    client, user = signed_in
    profile = Profile.objects.get(user=user)
    before = _snapshot(profile)
    response = client.post(reverse("profiles:edit"), data)
    assert response.status_code in (200, 302)
    after = _snapshot(profile)
    if response.status_code == 200:
        assert after == before, "an invalid form changed the profile"
    else:
        form = ProfileForm(data, instance=Profile(user=user))
        assert form.is_valid()


@FUZZ
@given(form=from_form(ProfileForm, time_zone=st.just("UTC"), topics=st.just([])))
def test_a_valid_generated_profile_form_saves_exactly_what_was_sent(signed_in, form):
    # hypothesis.extra.django builds forms whose field values the form accepts; saving
    # them through the model must not fail either (lengths, choices and NULs agree).
    client, user = signed_in
    if not form.is_valid():
        return
    data = {k: v for k, v in form.data.items() if v is not None and not isinstance(v, (list, tuple))}
    response = client.post(reverse("profiles:edit"), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(time_zone=junk, back=st.one_of(junk, st.just("https://evil.example/"), st.just("//evil.example/x")))
def test_the_time_zone_offer_never_500s_changes_only_to_a_known_zone_and_stays_on_the_site(signed_in, time_zone, back):
    client, user = signed_in
    Profile.objects.filter(user=user).update(time_zone="UTC")
    response = client.post(reverse("profiles:time_zone"), {"time_zone": time_zone, "next": back})
    assert response.status_code == 302
    assert response.url.startswith("/") and not response.url.startswith("//")
    saved = Profile.objects.get(user=user).time_zone
    assert saved == (time_zone if time_zone in time_zone_names() else "UTC")


@FUZZ
@given(email=junk, password1=junk, password2=junk, time_zone=junk)
def test_sign_up_with_any_input_is_a_form_error_or_an_account_never_a_500(email, password1, password2, time_zone):
    client = Client(raise_request_exception=False)
    users = User.objects.count()
    response = client.post(reverse("account_signup"), {"email": email, "password1": password1, "password2": password2,
                                                       "time_zone": time_zone})
    # 429: allauth's sign-up rate limit per address (a clear answer, nothing saved).
    assert response.status_code in (200, 302, 429)
    if response.status_code != 302:
        assert User.objects.count() == users, "a refused sign-up left an account behind"


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["confirm", "ids", "x"]), junk, max_size=3))
def test_erasure_posts_with_junk_never_500(signed_in, data):
    client, user = signed_in
    response = client.post(reverse("privacy:erasure_request"), data)
    assert response.status_code == 302
    assert ErasureRequest.objects.filter(user=user).count() <= 1


def test_a_double_submitted_erasure_request_opens_one_request(signed_in):
    client, user = signed_in
    for _ in range(2):
        client.post(reverse("privacy:erasure_request"), {"confirm": "on"})
    assert ErasureRequest.objects.filter(user=user).count() == 1


def test_a_double_submitted_profile_saves_once_and_the_same(signed_in):
    client, user = signed_in
    data = {"display_name": "Sam", "time_zone": "UTC", "connect_web": "on"}
    first = client.post(reverse("profiles:edit"), data)
    second = client.post(reverse("profiles:edit"), data)
    assert first.status_code == second.status_code == 302
    assert Profile.objects.filter(user=user).count() == 1
    assert Profile.objects.get(user=user).display_name == "Sam"


@pytest.fixture
def erasures(group, other_group):
    """An open erasure request by a member of each of two groups, and each group's coordinator."""
    from privacy import services

    mine, theirs = member(Role.MENTEE, group), member(Role.MENTEE, other_group)
    return {"mine": services.erasure_request(mine), "theirs": services.erasure_request(theirs),
            "coordinator": member(Role.COORDINATOR, group), "mine_user": mine}


@FUZZ_IDS
@given(which=st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids),
       data=st.dictionaries(st.sampled_from(["confirm", "user", "status"]), junk, max_size=2))
def test_withdrawing_an_erasure_request_with_any_id_withdraws_only_ones_own(erasures, which, data):
    target = erasures[which].pk if which in ("mine", "theirs") else which
    with rolled_back():
        response, _ = send_judged(as_(erasures["mine_user"]), f"/profile/privacy/erase/{target}/withdraw/", data)
        if which != "mine":
            assert response.status_code == 404
        erasures["theirs"].refresh_from_db()
        assert erasures["theirs"].status == ErasureRequest.Status.REQUESTED


def test_an_erasure_request_withdrawn_twice_is_refused_the_second_time(erasures):
    client, url = as_(erasures["mine_user"]), f"/profile/privacy/erase/{erasures['mine'].pk}/withdraw/"
    assert send_judged(client, url)[1] == "accepted"
    assert send_judged(client, url)[1] == "refused"


@FUZZ_IDS
@given(which=st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids),
       data=st.dictionaries(st.sampled_from(["confirm", "user", "status"]), junk, max_size=2))
def test_completing_an_erasure_with_any_id_erases_only_the_coordinators_members(erasures, which, data):
    target = erasures[which].pk if which in ("mine", "theirs") else which
    with rolled_back():
        response, verdict = send_judged(as_(erasures["coordinator"]), f"/profile/privacy/requests/{target}/complete/",
                                        data)
        if which != "mine":
            assert response.status_code == 404
        erasures["theirs"].refresh_from_db()
        assert erasures["theirs"].status == ErasureRequest.Status.REQUESTED
        assert (verdict == "accepted") == (which == "mine")


def test_an_erasure_completed_twice_erases_once(erasures):
    client, url = as_(erasures["coordinator"]), f"/profile/privacy/requests/{erasures['mine'].pk}/complete/"
    assert send_judged(client, url)[1] == "accepted"
    assert send_judged(client, url)[0].status_code in (302, 404)
    erasures["mine"].refresh_from_db()
    assert erasures["mine"].status == ErasureRequest.Status.COMPLETED
