"""The superuser keeps the program's confidences (issue 16).

Django's superuser passes every permission check, but reads what program staff
read: a tier-1 report the MEA still holds, the MEA's handling notes and outcome,
and check-in text appear nowhere in the admin for them (lists, report pages, the
history, audit and access inlines, the audit and access trails), while an
escalated report's text does (so the walk is not of empty pages)."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from escalations import services as concerns
from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory
from profiles.models import User
from support.tests.factories import CheckInFactory, CheckInRequestFactory

pytestmark = pytest.mark.django_db

KEPT = "MARKER-kept-7c1e"
ESCALATED = "MARKER-escalated-2b9a"


@pytest.fixture
def confided(mentor, mentee, mea, group):
    """A match with an MEA: a tier-1 report the MEA handled (note, outcome), check-in
    text, a self check-in's answers, all marked KEPT; and a tier-2 report for staff."""
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    held = ConcernFactory(match=match, tier=1, details=KEPT)
    concerns.concern_note(held, mea, KEPT)
    concerns.concern_acknowledge(held, mea)
    concerns.concern_resolve(held, mea, KEPT)
    CheckInFactory(match=match, mea=mea, to_celebrate=KEPT, worrying=KEPT, private_note=KEPT)
    CheckInRequestFactory(match=match, to_celebrate=KEPT, worrying=KEPT, status="answered", rating=2,
                          answered_at=timezone.now())
    ConcernFactory(match=match, tier=2, kind="staff", details=ESCALATED)
    return held


@pytest.fixture
def superuser(settings):
    settings.MFA_ENFORCE = False
    return User.objects.create_superuser("root@example.org", "pw-long-enough-1")


def _admin_pages(client):
    """Every changelist, and the change page of every row of every admin, as the signed-in person."""
    pages = {}
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages[reverse(f"{prefix}_changelist")] = client.get(reverse(f"{prefix}_changelist"))
        for pk in model._default_manager.values_list("pk", flat=True):
            for page in ("change", "history"):
                try:
                    url = reverse(f"{prefix}_{page}", args=[pk])
                except NoReverseMatch:
                    continue
                try:
                    pages[url] = client.get(url)
                except Exception as exc:
                    raise AssertionError(url) from exc
    return pages


def test_the_superuser_reads_no_tier_1_report_handling_note_outcome_or_check_in_text(client, confided, superuser):
    client.force_login(superuser)
    pages = _admin_pages(client)
    leaked = [url for url, response in pages.items() if KEPT in response.content.decode()]
    assert not leaked, leaked
    shown = [url for url, response in pages.items() if ESCALATED in response.content.decode()]
    assert shown, "the escalated report's text is the superuser's to read, as it is staff's"
    held_page = client.get(reverse("admin:escalations_concern_change", args=[confided.pk]))
    assert held_page.status_code == 302, "the held report's page is not there for the superuser"


def test_program_staff_read_no_more_and_no_less_than_the_superuser(client, confided, staff_user, settings):
    settings.MFA_ENFORCE = False
    client.force_login(staff_user)
    pages = _admin_pages(client)
    assert not [url for url, response in pages.items() if KEPT in response.content.decode()]
    assert [url for url, response in pages.items() if ESCALATED in response.content.decode()]


def test_the_superuser_reads_escalated_reports_in_the_queue(client, confided, superuser):
    from escalations.models import Concern

    client.force_login(superuser)
    page = client.get(reverse("admin:escalations_concern_changelist"))
    listed = {c.pk for c in page.context["cl"].result_list}
    assert listed == set(Concern.objects.filter(escalated_to_staff=True).values_list("pk", flat=True))
