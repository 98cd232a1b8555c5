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
from django.urls import include, path

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
