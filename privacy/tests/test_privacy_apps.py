"""Privacy across the apps: a member who is mentee, mentor and MEA, with data in
every app, downloads all of it (and nothing confidential of anyone else's), and
after a coordinator completes their erasure their personal data is gone from
every table, the audit trail included, while other people's matches,
check-ins, reports and histories stay, row for row.

Runs on Postgres (the erasure's coarse filters are database text searches).
"""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from audit.history import event_models
from audit.models import AccessEvent, History
from community.models import ChatPost
from escalations.models import Concern, ConcernEvent, Debrief
from escalations.services import concern_acknowledge, concern_note, concern_raise, concern_record_access
from matches.models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal
from matches.services import match_end
from matches.tests.factories import MatchFactory, MentorApplicationFactory, MentorProfileFactory, ProposalFactory
from notifications.models import Delivery, Notice
from privacy import registry, services
from privacy.models import ErasureRequest
from profiles.acting import acting_for
from profiles.models import Profile, Role, User
from profiles.services import role_grant
from profiles.tests.factories import member
from support.models import CheckIn, CheckInRequest, MatchSupport, MEAProfile, Milestone, Reminder
from support.services import checkin_record, checkin_request_answer, checkin_request_create, milestone_record
from support.tests.factories import supported_match

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAME, EMAIL, PHONE, DISCORD = "Robin Vale", "robin.vale@example.org", "555-0199", "robinvale"
# Robin's own words: in Robin's export, gone after the erasure.
OWN_WORDS = ["BIO-ROBIN", "APP-ROBIN", "PREF-ROBIN", "SELF-ROBIN", "ROBIN-END-REASON", "ROBIN-THANKS", "CHAT-ROBIN",
             "REACH-ROBIN", "PROPOSAL-ROBIN"]
# Other people's confidential words: never in Robin's export, kept by the erasure.
OTHERS_CONFIDENTIAL = ["E2-PRIVATE-REASON", "SELF-M1", "CHECKIN-A", "MEA-A-PRIVATE", "MENTEE3-WORRY", "ROBIN-MEA-NOTE",
                       "REPORT-BY-M1", "HANDLER-NOTE"]


def _with_support(match):
    MatchSupport.objects.create(match=match, next_due=timezone.localdate() + timedelta(days=14))
    return match


@pytest.fixture
def world(group, other_group, staff_user, coordinator):
    robin = member(Role.MENTEE, group, email=EMAIL)
    for role in (Role.MENTOR, Role.MEA):
        role_grant(robin, role, group=group if role == Role.MEA else None)
    role_grant(robin, Role.COORDINATOR, group=other_group)
    Profile.objects.filter(user=robin).update(display_name=NAME, phone=PHONE, discord=DISCORD, bio="BIO-ROBIN")
    robin = User.objects.get(pk=robin.pk)
    m1, e2, mea_a = member(Role.MENTOR, group), member(Role.MENTEE, group), member(Role.MEA, group)

    # matches: application, mentor profile, preferences, a proposal, three matches.
    MentorApplicationFactory(applicant=robin, group=group, experiences="APP-ROBIN", review_note="Welcome aboard")
    MentorProfileFactory(user=robin)
    MenteePreference.objects.create(mentee=robin, note="PREF-ROBIN")
    match1 = _with_support(MatchFactory(mentor=m1, mentee=robin, group=group, mea=mea_a))
    match2 = _with_support(MatchFactory(mentor=robin, mentee=e2, group=group, mea=mea_a))
    match3 = supported_match(group, robin)
    ProposalFactory(mentor=m1, mentee=robin, group=group, initiated_by="mentee", initiator=robin,
                    reason="PROPOSAL-ROBIN: we both walk", status="accepted", match=match1)
    MatchEvent.objects.create(match=match1, actor=robin, kind=MatchEvent.Kind.ACCEPTED)

    # support: check-ins about Robin's match and by Robin as MEA, self check-ins, a milestone, reminders.
    checkin_record(match=match1, mea=mea_a, with_whom="mentee", rating=3, worrying=f"{NAME} seemed low CHECKIN-A",
                   private_note="MEA-A-PRIVATE")
    checkin_record(match=match3, mea=robin, with_whom="mentee", rating=2, worrying="MENTEE3-WORRY",
                   private_note="ROBIN-MEA-NOTE")
    own = checkin_request_create(match=match1, by=mea_a, respondent=robin)
    checkin_request_answer(request=own, by=robin, rating=4, to_celebrate="SELF-ROBIN", worrying="SELF-ROBIN too")
    theirs = checkin_request_create(match=match1, by=mea_a, respondent=m1)
    checkin_request_answer(request=theirs, by=m1, rating=3, worrying="SELF-M1")
    milestone_record(match=match1, by=robin, what="First coffee together")
    Reminder.objects.create(kind=Reminder.Kind.REQUEST, match=match1, recipient=robin, occurrence=timezone.localdate(),
                            not_before=timezone.now() + timedelta(hours=1))
    MEAProfile.objects.create(user=robin, how_to_reach=f"Discord {DISCORD}, REACH-ROBIN")

    # escalations: a report by Robin, and a report about Robin with a handler's note and a read.
    mine = concern_raise(reporter=robin, match=match1, situations=["conflict"], about="mentor", details="REPORT-BY-ROBIN")
    about = concern_raise(reporter=m1, match=match1, situations=["victim_of_abuse"], about="mentee",
                          details=f"REPORT-BY-M1 {NAME} told me, call {PHONE}")
    concern_acknowledge(about, staff_user)
    concern_note(about, staff_user, f"HANDLER-NOTE called {NAME}")
    concern_record_access(about, staff_user, f"/concerns/inbox/{about.pk}/")
    Delivery.objects.create(to=EMAIL, user=robin, subject="A report needs your attention", body_text="Open it.",
                            topic=f"concern:{mine.pk}", dedupe_key=f"concern:{mine.pk}:raised:email:user-{robin.pk}")

    # Endings: Robin ends match 1, Robin's mentee ends match 2.
    match_end(match_id=match1.pk, by=robin, reason="ROBIN-END-REASON", gratitude_note="ROBIN-THANKS", rating=4)
    match_end(match_id=match2.pk, by=e2, reason="E2-PRIVATE-REASON", gratitude_note="E2-THANKS", rating=5)

    # community, and the history as the profile admin and a staff edit elsewhere leave it.
    ChatPost.objects.create(author=robin, group=group, kind="offer", title="Walks", body="CHAT-ROBIN",
                            expires_at=timezone.now() + timedelta(days=7))
    with acting_for(staff_user):
        Profile.objects.filter(user=robin).update(availability="Evenings, ask BIO-ROBIN")
        Profile.objects.filter(user=m1).update(bio=f"Met {NAME} at group", availability=f"Not with {DISCORD}")
    LogEntry.objects.create(user=staff_user, content_type=ContentType.objects.get_for_model(User), object_id=str(robin.pk),
                            object_repr=NAME, action_flag=CHANGE, change_message=f"Changed email of {EMAIL}")
    return {"robin": robin, "m1": m1, "e2": e2, "mea_a": mea_a, "match1": match1, "match2": match2,
            "match3": match3, "mine": mine, "about": about, "staff": staff_user, "coordinator": coordinator}


def test_the_export_holds_every_category_and_no_one_elses_confidential_text(client, world):
    robin = world["robin"]
    client.force_login(robin)
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)["program_data"]

    assert data["account"]["profile"]["bio"] == "BIO-ROBIN"
    assert {r["role"] for r in data["account"]["roles"]} == {"mentee", "mentor", "mea", "coordinator"}

    matches = data["matches"]
    assert matches["mentor_applications"][0]["experiences"] == "APP-ROBIN"
    assert matches["mentor_applications"][0]["note_to_me"] == "Welcome aboard"
    assert matches["mentor_profile"]["capacity"] == 2
    assert matches["mentee_preferences"]["note"] == "PREF-ROBIN"
    assert matches["proposals"][0]["reason"].startswith("PROPOSAL-ROBIN")
    by_id = {m["id"]: m for m in matches["matches"]}
    assert {m["my_role"] for m in by_id.values()} == {"mentee", "mentor", "mea"}
    ended_by_me = by_id[world["match1"].pk]
    assert (ended_by_me["my_private_end_reason"], ended_by_me["my_suitability_rating"]) == ("ROBIN-END-REASON", 4)
    assert ended_by_me["gratitude_note"] == "ROBIN-THANKS"
    ended_by_them = by_id[world["match2"].pk]
    assert ended_by_them["gratitude_note"] == "E2-THANKS" and "my_private_end_reason" not in ended_by_them
    assert {"accepted", "ended"} <= {e["what"] for e in matches["history"]}

    support = data["support"]
    assert support["mea_profile"]["how_to_reach"].endswith("REACH-ROBIN")
    assert [r["to_celebrate"] for r in support["self_checkins"]] == ["SELF-ROBIN"]
    assert [c["match_id"] for c in support["checkins_about_my_matches"]] == [world["match1"].pk]
    assert [c["match_id"] for c in support["checkins_recorded_as_mea"]] == [world["match3"].pk]
    assert [r["match_id"] for r in support["self_checkins_asked_as_mea"]] == []
    assert {a["match_id"] for a in support["mea_assignments"]} == {world["match1"].pk, world["match2"].pk, world["match3"].pk}
    assert [m["what"] for m in support["milestones"]] == ["First coffee together"]
    assert [r["kind"] for r in support["reminders"]] == ["request"]

    reports = data["escalations"]["reports_made"]
    assert [r["details"] for r in reports] == ["REPORT-BY-ROBIN"]
    assert reports[0]["history"][0]["what"] == "raised"
    assert "A report needs your attention" in [e["subject"] for e in data["notifications"]["emails"]]
    assert data["community"]["posts"][0]["body"] == "CHAT-ROBIN"

    for word in OWN_WORDS:
        assert word in text, word
    # Nobody else's private words: the other side's ending reason and self check-in,
    # the MEA's check-in notes (of Robin's match, and Robin's own as an MEA), and the
    # report about Robin (not even its number) with its handler's note.
    for word in OTHERS_CONFIDENTIAL:
        assert word not in text, word
    assert world["about"].pk not in [r["id"] for r in reports]
    assert "victim of abuse" not in text.lower()


def _all_rows_text() -> str:
    """Every row of every table, as text (each line names its table): where personal data could still be."""
    return "\n".join(
        f"{model._meta.label}: {row}"
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy  # not the union of the event tables (History)
        for row in model._base_manager.values()
    )


def _lines_with(text: str, word: str) -> list[str]:
    return [line[:300] for line in text.splitlines() if word in line]


def _counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in (
        Match, Proposal, MatchEvent, CheckIn, CheckInRequest, MatchSupport, Milestone, Reminder, Concern, ConcernEvent,
        Debrief, AccessEvent, ChatPost,
    )}


def test_erasure_removes_their_data_everywhere_and_keeps_everyone_elses(client, world):
    robin, about, mine = world["robin"], world["about"], world["mine"]
    before_counts = _counts()
    before_history = {model._meta.label: set(model.objects.values_list("pk", flat=True)) for model in event_models()}
    before_text = _all_rows_text()
    for word in [NAME, EMAIL, PHONE, DISCORD, *OWN_WORDS, *OTHERS_CONFIDENTIAL]:
        assert word in before_text, f"the fixture should have planted {word}"

    request = services.erasure_request(robin)
    client.force_login(world["coordinator"])
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 302

    # Gone everywhere: every table, the history's event tables and contexts and the admin log included.
    after_text = _all_rows_text()
    for word in [NAME, EMAIL, PHONE, DISCORD, *OWN_WORDS]:
        assert word not in after_text, _lines_with(after_text, word)
    assert not MentorApplication.objects.filter(applicant=robin).exists()
    assert not MentorProfile.objects.filter(user=robin).exists()
    assert not MenteePreference.objects.filter(mentee=robin).exists()
    assert not MEAProfile.objects.filter(user=robin).exists()
    assert Reminder.objects.get(recipient=robin).status == Reminder.Status.SKIPPED
    # Their own profile's history keeps its rows (who changed it, when), not its values.
    own = Profile.objects.get(user=robin).history.order_by("pgh_id")
    assert own.count() >= 3 and {row.bio for row in own} <= {"", services.ERASED_VALUE}
    assert {row.display_name for row in own} <= {services.ERASED_VALUE}
    theirs = world["m1"].profile.history.get(pgh_context__metadata__user=world["staff"].pk)
    assert (theirs.bio, theirs.availability) == (f"Met {services.ERASED_REF} at group", f"Not with {services.ERASED_REF}")

    # Everyone else's records stay, row for row, with their words.
    assert _counts() == before_counts
    for model in event_models():
        assert before_history[model._meta.label] <= set(model.objects.values_list("pk", flat=True)), (
            f"no history row was deleted ({model._meta.label})")
    for word in OTHERS_CONFIDENTIAL:
        assert word in after_text, word
    match2 = Match.objects.get(pk=world["match2"].pk)
    assert (match2.mentor_id, match2.end_reason, match2.gratitude_note) == (robin.pk, "E2-PRIVATE-REASON", "E2-THANKS")
    match1 = Match.objects.get(pk=world["match1"].pk)
    assert (match1.mentee_id, match1.end_reason, match1.gratitude_note, match1.suitability_rating) == (robin.pk, "", "", 4)
    mea_checkin = CheckIn.objects.get(match=world["match1"])
    assert (mea_checkin.worrying, mea_checkin.private_note) == (f"{services.ERASED_REF} seemed low CHECKIN-A", "MEA-A-PRIVATE")
    assert CheckIn.objects.get(match=world["match3"]).mea_id == robin.pk
    answered = CheckInRequest.objects.get(respondent=robin)
    assert (answered.rating, answered.to_celebrate, answered.worrying) == (4, "", "")
    about.refresh_from_db()
    assert about.details == f"REPORT-BY-M1 {services.ERASED_REF} told me, call {services.ERASED_REF}"
    assert about.reporter_id == world["m1"].pk and about.status == "acknowledged"
    note = ConcernEvent.objects.get(concern=about, what="note")
    assert note.note == f"HANDLER-NOTE called {services.ERASED_REF}" and note.actor_id == world["staff"].pk
    mine.refresh_from_db()
    assert mine.reporter_id == robin.pk and mine.details == "REPORT-BY-ROBIN"
    assert AccessEvent.objects.filter(object_id=str(about.pk), actor=world["staff"]).count() == 1
    # The erasure's own changes are in the history, attributed to the coordinator, for this erasure.
    ended_roles = History.objects.filter(pgh_obj_model="profiles.RoleGrant", pgh_label="update",
                                         pgh_context__user=world["coordinator"].pk)
    assert ended_roles.count() == 4 and all(e.pgh_context["erasure"] == request.pk for e in ended_roles)


def test_erasing_twice_is_safe(world):
    """Erasers may run again (a retried completion): nothing changes the second time."""
    robin = world["robin"]
    services.erasure_complete(services.erasure_request(robin).pk, by=world["coordinator"])
    snapshot = _all_rows_text()
    for _name, fn in sorted(registry.erasers().items()):
        fn(User.objects.get(pk=robin.pk))
    assert _all_rows_text().count(services.ERASED_REF) == snapshot.count(services.ERASED_REF)
    assert _counts()[Match._meta.label] == 3


# --- Nothing pointing at a person can be forgotten ----------------------------------


def test_every_foreign_key_to_the_user_is_exported_or_exempt_with_a_reason():
    assert registry.uncovered_user_fields() == []
    existing = set(registry.user_fields())
    stale = (registry.covered_fields() | set(registry.EXEMPT)) - existing
    assert not stale, f"covers or EXEMPT name fields that no longer exist: {sorted(stale)}"
    assert all(reason.strip() for reason in registry.EXEMPT.values())
    for app in ("matches", "support", "escalations", "community"):
        assert app in registry.exporters() and app in registry.erasers()


@isolate_apps("matches")
def test_a_new_model_pointing_at_the_user_without_an_exporter_fails_the_check():
    class Journal(models.Model):
        writer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        readers = models.ManyToManyField(User, related_name="+")
        entry = models.TextField()

        class Meta:
            app_label = "matches"

        def __str__(self) -> str:
            return self.entry

    assert registry.uncovered_user_fields([Journal]) == ["matches.Journal.writer", "matches.Journal.readers"]
    assert registry.uncovered_user_fields([Match]) == []


def test_erasure_takes_them_out_of_open_proposals_active_matches_and_reports_they_hold(group, coordinator, staff_user):
    robin = member(Role.MENTEE, group)
    role_grant(robin, Role.MEA, group=group)
    mentor, other_mentor, mea = member(Role.MENTOR, group), member(Role.MENTOR, group), member(Role.MEA, group)
    as_mentee = _with_support(MatchFactory(mentor=mentor, mentee=robin, group=group, mea=mea))
    proposal = ProposalFactory(mentor=other_mentor, mentee=robin, group=group)
    supported = supported_match(group, robin)
    waiting = checkin_request_create(match=as_mentee, by=mea, respondent=robin)
    asked = checkin_request_create(match=supported, by=robin, respondent=supported.mentee)
    held = concern_raise(reporter=supported.mentor, match=supported, situations=["conflict"], about="mentee")
    assert held.routed_to_mea_id == robin.pk and not held.escalated_to_staff
    serious = concern_raise(reporter=supported.mentor, match=supported, situations=["victim_of_abuse"], about="mentee")
    debrief = Debrief.objects.get(concern=serious)
    assert debrief.owner_id == robin.pk

    services.erasure_complete(services.erasure_request(robin).pk, by=coordinator)

    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN
    ended = Match.objects.get(pk=as_mentee.pk)
    assert ended.status == Match.Status.ENDED and ended.ended_at and ended.mentee_id == robin.pk
    assert MatchEvent.objects.filter(match=ended, kind="ended", actor=coordinator).exists()
    assert not History.objects.tracks(ended).exists(), "the ending is on the match's timeline, and only there"
    assert Notice.objects.filter(user=mentor, title="Your mentorship match has ended").exists()
    assert Notice.objects.filter(user=mea, title="A match ended: please debrief both sides").exists()
    freed = Match.objects.get(pk=supported.pk)
    assert freed.is_active and freed.mea_id is None
    assert Notice.objects.filter(user=coordinator, title="A match needs a new MEA").exists()
    statuses = dict(CheckInRequest.objects.filter(pk__in=[waiting.pk, asked.pk]).values_list("pk", "status"))
    assert statuses == {waiting.pk: "withdrawn", asked.pk: "withdrawn"}
    held.refresh_from_db()
    assert held.escalated_to_staff and held.status == Concern.Status.OPEN and held.routed_to_mea_id == robin.pk
    assert ConcernEvent.objects.filter(concern=held, what="escalated").exists()
    assert Concern.objects.visible_to(staff_user).filter(pk=held.pk).exists()
    debrief.refresh_from_db()
    assert debrief.owner_id is None and debrief.status == "offered", "staff follow it up now"


def test_the_demo_has_an_erasure_request_for_the_coordinator_to_complete(client):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    request = ErasureRequest.objects.get()
    assert request.user.email == "mentee.eli@example.org" and request.status == "requested"
    assert client.login(username="coordinator@example.org", password="demo-mentorship-2026")
    page = client.get(reverse("privacy:erasure_requests"))
    assert page.status_code == 200 and "mentee.eli@example.org" in page.content.decode()
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 302
    eli_match = Match.objects.get(mentee=request.user)
    assert eli_match.status == Match.Status.ENDED
    assert Notice.objects.filter(user=eli_match.mentor, title="Your mentorship match has ended").exists()


def test_erasing_a_staff_member_hands_their_unresolved_reports_back_to_the_queue(group, mentor, mentee, staff_user):
    from escalations.services import concern_assign

    leaving = member(Role.STAFF, group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group)
    concern = concern_raise(reporter=mentor, match=match, situations=["harassed"], about="mentee")
    concern_assign(concern, staff_user, leaving)
    services.erasure_complete(services.erasure_request(leaving).pk, by=staff_user)
    concern.refresh_from_db()
    assert concern.assigned_to_id is None and concern.escalated_to_staff
    assigned, unassigned = ConcernEvent.objects.filter(concern=concern, what="assigned").order_by("pk")
    assert assigned.actor_id == staff_user.pk, "the timeline keeps the assignment"
    assert unassigned.actor_id == staff_user.pk and unassigned.note == "Unassigned: the staff member left the program."
    assert not History.objects.tracks(concern).exists(), "nothing twice"
