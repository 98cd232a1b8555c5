"""The staff console reads as sentences (issue 19): deadlines per tier, routing
reasons and the audit trail are shown for a person, not as JSON."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations import services
from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory
from profiles.admin_text import hours_in_words, value_in_words
from profiles.models import Profile

pytestmark = pytest.mark.django_db


def test_a_report_page_shows_deadlines_reasons_and_history_as_sentences(client, group, staff_user, mea):
    concern = ConcernFactory(match=MatchFactory(group=group, mea=mea), tier=2, kind="monitor",
                             routing_reasons=["highest tier among 1 situation(s): 2",
                                              "staff are told of every tier-2 and tier-3 report"])
    services.concern_acknowledge(concern, staff_user)
    client.force_login(staff_user)
    html = client.get(reverse("admin:escalations_concern_change", args=[concern.pk])).content.decode()
    assert "Tier 1 (MEA): within 3 days." in html and "Tier 3 (emergency): within 1 hour." in html
    assert "Staff are told of every tier-2 and tier-3 report." in html
    # Its handling is its timeline (ConcernEvent), read as lines, not as field diffs.
    assert "Acknowledged" in html[html.index("History"):]
    assert '{"1": 72.0' not in html and '&quot;1&quot;: 72.0' not in html


def test_a_reports_other_changes_read_as_sentences_with_names_and_kinds(client, group, other_group, staff_user, mea):
    from escalations.models import Concern
    from escalations.services import concern_raise
    from profiles.acting import acting_for

    match = MatchFactory(group=group, mea=mea)
    concern = concern_raise(reporter=match.mentor, match=match, situations=["suicidal_thoughts_plan"],
                            about="mentee", details="Demo")
    with acting_for(staff_user):
        Concern.objects.filter(pk=concern.pk).update(group=other_group)
    client.force_login(staff_user)
    html = client.get(reverse("admin:escalations_concern_change", args=[concern.pk])).content.decode()
    changes = html[html.index("Other changes (history)"):]
    # The report's first recorded change (its creation is on its timeline): the values it now has.
    assert (f"{staff_user.display_name} changed the concern #{concern.pk} (now: group support group #{other_group.pk};"
            in changes)
    with acting_for(staff_user):
        Concern.objects.filter(pk=concern.pk).update(group=group)
    html = client.get(reverse("admin:escalations_concern_change", args=[concern.pk])).content.decode()
    assert (f"{staff_user.display_name} changed the concern #{concern.pk}: group from support group #{other_group.pk} "
            f"to support group #{group.pk} on ") in html
    assert "pgh_" not in changes and "{" not in changes.split("</div>")[0]


def test_the_queue_names_a_missed_deadline_beside_it(client, group, staff_user, mea):
    concern = ConcernFactory(match=MatchFactory(group=group, mea=mea), tier=2, kind="monitor",
                             created_at=timezone.now() - timedelta(hours=2, minutes=5),
                             ack_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(staff_user)
    html = client.get(reverse("admin:escalations_concern_changelist")).content.decode()
    assert 'class="state-late">overdue<' in html and "2 hours ago" in html
    # The report's page too: the word in red beside the deadline, not a green tick for "overdue".
    html = client.get(reverse("admin:escalations_concern_change", args=[concern.pk])).content.decode()
    assert "<label>Acknowledge by:</label>" in html and 'class="state-late">overdue<' in html
    assert "<label>Overdue:</label>" not in html and "<label>Ack deadline:</label>" not in html


def test_values_read_as_words_in_the_readers_zone():
    from django.utils import timezone as tz

    with tz.override("America/New_York"):
        assert value_in_words("2027-01-05T19:00:00+00:00") == "Tue 5 Jan 2027, 14:00 EST"
        assert value_in_words(datetime(2027, 7, 5, 18, 30, tzinfo=UTC)) == "Mon 5 Jul 2027, 14:30 EDT"
    assert value_in_words(None) == "(none)" and value_in_words(True) == "yes"
    assert hours_in_words(72) == "3 days" and hours_in_words(24) == "24 hours" and hours_in_words(0.5) == "30 minutes"


def test_an_email_shows_times_in_the_recipients_own_zone(group, mentee, mentor, mailoutbox):
    from matches import notices
    from matches.tests.factories import ProposalFactory

    Profile.objects.filter(user=mentee).update(time_zone="Europe/Paris")
    proposal = ProposalFactory(mentor=mentor, mentee=mentee, group=group, initiated_by="coordinator",
                               expires_at=datetime(2027, 1, 5, 19, 0, tzinfo=UTC))
    notices.proposal_reminded(proposal)
    from notifications.models import Delivery

    body = Delivery.objects.filter(to=mentee.email).latest("created_at").body_text
    assert "Tue 5 Jan 2027, 20:00 CET" in body


def test_the_routing_reason_names_the_tier_in_words():
    from escalations.routing import route

    assert route(["harassed"], "mentee", None).reasons[0] == "the situation reported is tier 2 (staff)"
    assert route(["harassed", "decompensation"], "mentee", None).reasons[0] == (
        "tier 3 (emergency) is the highest of the 2 situations reported")


def test_who_handles_a_report_is_said_in_words_with_mea_capitalised(client, group, staff_user, mea):
    concern = ConcernFactory(match=MatchFactory(group=group, mea=mea), tier=2, kind="monitor")
    client.force_login(staff_user)
    page = client.get(reverse("admin:escalations_concern_change", args=[concern.pk])).content.decode()
    assert "Staff and the MEA monitor" in page
    queue = client.get(reverse("admin:escalations_concern_changelist")).content.decode()
    assert "The MEA handles it</a>" in queue and ">mea</a>" not in queue
    filtered = client.get(reverse("admin:escalations_concern_changelist") + "?kind=policy").content.decode()
    assert f">{concern.pk}</a>" not in filtered


def test_the_queue_lists_open_work_by_tier_then_deadline_and_resolved_reports_last(client, group, staff_user, mea):
    match = MatchFactory(group=group, mea=mea)
    now = timezone.now()
    resolved = ConcernFactory(match=match, tier=3, kind="emergency", status="resolved", ack_deadline=now,
                               resolved_at=now, outcome="Talked it through.")
    low = ConcernFactory(match=match, tier=1, kind="mea", escalated_to_staff=True, ack_deadline=now + timedelta(hours=1))
    later = ConcernFactory(match=match, tier=2, kind="monitor", ack_deadline=now + timedelta(hours=20))
    sooner = ConcernFactory(match=match, tier=2, kind="monitor", ack_deadline=now + timedelta(hours=2))
    urgent = ConcernFactory(match=match, tier=3, kind="emergency", ack_deadline=now + timedelta(hours=30))
    for hours_ago, concern in enumerate([resolved, low, sooner, later, urgent]):  # newest first would differ
        type(concern).objects.filter(pk=concern.pk).update(created_at=now - timedelta(hours=hours_ago))
    client.force_login(staff_user)
    response = client.get(reverse("admin:escalations_concern_changelist"))
    shown = [c.pk for c in response.context["cl"].result_list]
    assert shown == [urgent.pk, sooner.pk, later.pk, low.pk, resolved.pk]
