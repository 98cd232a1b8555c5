"""Property-based tests: the portal notices' POST endpoints answer junk with a 404 or a
redirect, never a 500, and nobody marks someone else's notice read."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models import Notice
from profiles.tests.factories import UserFactory
from tests.fuzzing import assert_every_post_endpoint_is_fuzzed

pytestmark = pytest.mark.django_db

FUZZED = {"notifications:open", "notifications:read_all"}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_every_post_endpoint_of_notifications_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("notifications", FUZZED)


@pytest.fixture
def signed_in():
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


@FUZZ
@given(pk=st.one_of(st.integers(min_value=-(2**63), max_value=2**63), st.text(max_size=30)))
def test_opening_someone_elses_or_a_bogus_notice_is_a_404(signed_in, pk):
    client, _user = signed_in
    notice = Notice.objects.create(user=UserFactory(), title="not yours", url="/")
    response = client.post("/profile/notifications/" + quote(str(pk), safe="") + "/open/")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["ids", "pk", "x"]), st.text(max_size=50), max_size=3))
def test_read_all_with_junk_marks_only_my_notices_read(signed_in, data):
    client, user = signed_in
    theirs = Notice.objects.create(user=UserFactory(), title="not yours")
    assert client.post(reverse("notifications:read_all"), data).status_code == 302
    assert not Notice.objects.filter(user=user, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
