from datetime import timedelta

import pytest
from django.utils import timezone

from matches.models import Match
from meetings import demo as meetings_demo
from profiles import demo as profiles_demo
from support import demo
from support.models import CheckIn, CheckInRequest, MatchSupport, Milestone
from support.selectors import dashboard_rows

pytestmark = pytest.mark.django_db


def _ctx():
    ctx = profiles_demo.DemoContext()
    profiles_demo.seed(ctx)
    return ctx


def test_the_demo_skips_gracefully_without_demo_matches():
    ctx = _ctx()
    demo.seed(ctx)
    assert not CheckIn.objects.exists()
    assert any("no demo matches" in line for line in ctx.lines)


def test_the_demo_fills_every_dashboard_state_and_running_it_twice_changes_nothing():
    ctx = _ctx()
    pairs = [("mentor_jordan", "mentee_taylor", "harbor"), ("mentor_priya", "mentee_chris", "harbor"),
             ("mentor_marcus", "mentee_dana", "cedar"), ("mentor_lee", "mentee_eli", "cedar")]
    for mentor, mentee, group in pairs:
        Match.objects.create(mentor=ctx.users[mentor], mentee=ctx.users[mentee], group=ctx.groups[group],
                             started_at=timezone.now() - timedelta(days=60))
    meetings_demo.seed(ctx)  # seed_demo runs the apps in INSTALLED_APPS order: meetings before support
    demo.seed(ctx)
    counts = (CheckIn.objects.count(), Milestone.objects.count(), CheckInRequest.objects.count())
    demo.seed(ctx)
    assert (CheckIn.objects.count(), Milestone.objects.count(), CheckInRequest.objects.count()) == counts
    assert MatchSupport.objects.count() == 4
    alex = ctx.users["mea_alex"]
    rows = dashboard_rows(Match.objects.filter(mea=alex), alex)
    top = rows[0]
    assert top.match.mentee == ctx.users["mentee_taylor"]
    assert any("overdue" in r for r in top.reasons) and any("falling" in r for r in top.reasons)
    assert any("cancelled repeatedly" in r for r in rows[1].reasons)
    assert any("Pulse falling (4 → 2)" in r for r in rows[1].reasons)
    sam = ctx.users["mea_sam"]
    reasons = {r.match.mentee.email: r.reasons for r in dashboard_rows(Match.objects.filter(mea=sam), sam)}
    assert any("not checked in" in r for r in reasons["mentee.eli@example.org"])
    assert CheckInRequest.objects.get().respondent == ctx.users["mentor_jordan"]
