"""Every URL of our apps that takes a POST has a fuzz case, project-wide.

Each tests/test_fuzz_*.py module lists the URL names it fuzzes in `FUZZED`; the
URL resolver is walked for every named URL whose view handles a POST (see
tests/fuzzing.py), so a new POST endpoint in any app fails here until a fuzz
case covers it. Only the third-party URLs in `fuzzing.THIRD_PARTY` (allauth,
the admin) are exempt, with the reason written there.
"""

import importlib
import pkgutil

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

import tests
from tests import fuzzing

FUZZ_MODULES = sorted(m.name for m in pkgutil.iter_modules(tests.__path__)
                      if m.name.startswith("test_fuzz_") and m.name != "test_fuzz_coverage")


def registries() -> dict[str, set[str]]:
    return {name: importlib.import_module(f"tests.{name}").FUZZED for name in FUZZ_MODULES}


def test_every_fuzz_module_has_a_registry():
    assert {"test_fuzz_profiles", "test_fuzz_matches", "test_fuzz_support", "test_fuzz_escalations",
            "test_fuzz_community"} <= set(FUZZ_MODULES)
    assert all(registries().values())


def test_every_post_endpoint_of_our_apps_has_a_fuzz_case():
    fuzzed = set().union(*registries().values())
    endpoints = fuzzing.our_post_endpoints()
    assert {"escalations:report", "support:checkin_create", "community:post_reply", "profiles:edit"} <= endpoints
    missing = sorted(endpoints - fuzzed)
    assert not missing, f"POST endpoints without a fuzz case (add one to a tests/test_fuzz_*.py FUZZED): {missing}"
    stale = sorted(fuzzed - endpoints)
    assert not stale, f"fuzz registries name URLs that no longer take a POST: {stale}"


def test_only_third_party_urls_are_exempt():
    exempt = {name for name, view in fuzzing._walk(fuzzing.get_resolver()) if fuzzing._third_party(name, view)}
    assert exempt and all(name.startswith(("admin:", "account_", "mfa_")) for name in exempt), sorted(exempt)
    assert set(fuzzing.THIRD_PARTY) == {"allauth", "admin"}


def unfuzzed_view(request):
    if request.method == "POST":
        return HttpResponse(request.POST.get("x", ""))
    return HttpResponse()


urlpatterns = [path("", include("mentorship.urls")), path("new/", unfuzzed_view, name="unfuzzed")]


@pytest.mark.urls(__name__)
def test_a_new_post_endpoint_without_a_fuzz_case_is_found():
    assert "unfuzzed" in fuzzing.our_post_endpoints()


@pytest.mark.django_db
def test_a_post_to_any_page_that_takes_no_post_changes_nothing_and_is_never_a_500(group):
    """Pages that only show things ignore a POST's data (or refuse the method): junk
    posted to each, as a signed-in coordinator and staff member, saves nothing."""
    from profiles.models import Role
    from profiles.tests.factories import member

    state = fuzzing.State("profiles", "privacy", "matches", "support", "escalations", "community")
    posted = {"pk": str(fuzzing.BIG), "status": "\x00", "confirm": "on", "x" * 50: "y" * 3000}
    shows_only = [(name, pattern) for name, pattern in fuzzing.named_patterns()
                  if not fuzzing._third_party(name, pattern.callback) and not fuzzing._handles_post(pattern.callback)]
    assert len(shows_only) > 20
    for role in (Role.COORDINATOR, Role.STAFF):
        client = fuzzing.as_(member(role, group))
        before = state.take()
        for name, pattern in shows_only:
            kwargs = {key: (fuzzing.BIG if conv.regex == "[0-9]+" else "x")
                      for key, conv in pattern.pattern.converters.items()}
            response = client.post(reverse(name, kwargs=kwargs), posted)
            assert response.status_code != 500, f"POST {name} answered 500"
            if kwargs.get("pk"):
                assert response.status_code in (404, 405), f"POST {name} with a made-up id answered {response.status_code}"
        changed = state.changed(before)
        assert not changed, f"a POST to a page that takes none changed {changed}"

