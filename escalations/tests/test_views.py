import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from escalations import services
from escalations.models import Concern
from escalations.services import concern_raise
from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def report(match, *situations, about="mentee", reporter=None, details="details"):
    return concern_raise(reporter=reporter or match.mentor, match=match, situations=list(situations), about=about,
                         details=details)


def post_report(client, match, *situations, about="mentee", follow=False, **extra):
    return client.post(reverse("escalations:report"),
                       {"match": match.pk, "situations": list(situations), "about": about, "details": "d", **extra},
                       follow=follow)


def test_the_form_asks_about_danger_first_in_the_mentors_words_and_says_it_is_not_a_crisis_service(client, match):
    client.force_login(match.mentor)
    response = client.get(reverse("escalations:report"))
    html = response.content.decode()
    assert "This is not a crisis service." in html
    assert html.index("Is someone in danger right now?") < html.index("Do you need help with your match")
    for internal in ("MEA Support", "Staff Support", "Professional services (emergencies)"):
        assert internal not in html
    assert "Your mentee is about to hurt themselves" in html and "I am having thoughts of suicide" in html
    assert 'href="/help/"' in html
    assert "no-store" in response["Cache-Control"]


def test_every_page_links_to_the_report_form(client, mentee):
    client.force_login(mentee)
    assert reverse("escalations:report").encode() in client.get(reverse("profiles:me")).content


def test_a_tier_one_report_is_saved_and_the_reporter_sees_its_next_step(client, match):
    client.force_login(match.mentor)
    response = post_report(client, match, "conflict", follow=True)
    concern = Concern.objects.get()
    assert response.redirect_chain[-1][0] == reverse("escalations:my_report", args=[concern.pk])
    assert b"Waiting for your MEA" in response.content


def test_an_emergency_is_saved_at_the_first_submit_and_answered_with_its_guidance(client, match, staff_user):
    client.force_login(match.mentor)
    response = post_report(client, match, "hurting_someone", "conflict", follow=True)
    concern = Concern.objects.get()
    assert concern.tier == 3 and concern.situations == ["hurting_someone", "conflict"]
    assert concern.escalated_to_staff and concern.routed_to_mea == match.mea
    html = response.content.decode()
    assert 'href="tel:911"' in html
    assert "Someone is planning to hurt another person" in html and "Do not confront them" in html
    assert "Program staff and the MEA can read it now" in html
    assert "Your report was sent." in html and "could not be alerted" not in html
    assert "Send the report to staff now" not in html
    # The reporter who leaves at once to call for help finds it in "My reports".
    assert f"Report #{concern.pk}".encode() in client.get(reverse("escalations:mine")).content


@pytest.mark.parametrize("situation, guide, shown, not_shown", [
    ("actively_suicidal", "Someone is about to hurt themselves", "Stay with them", "National Domestic Violence"),
    ("abusing_someone", "Someone is abusing a partner or a child", 'href="tel:18007997233"', "Ask them directly"),
    ("abusing_someone", "Someone is abusing a partner or a child", 'href="tel:18004224453"', "Stay with them"),
    ("decompensation", "Someone is having a psychotic break", "Do not argue", "National Domestic Violence"),
    ("hurting_someone", "Someone is planning to hurt another person", "Do not confront", "Ask them directly"),
])
def test_each_emergency_shows_the_guidance_for_that_emergency(client, match, situation, guide, shown, not_shown):
    client.force_login(match.mentor)
    html = post_report(client, match, situation, follow=True).content.decode()
    assert guide in html and shown in html and not_shown not in html
    assert html.index('href="tel:911"') < html.index("<dl")


def test_suicidal_thoughts_with_a_plan_show_the_crisis_line_at_once(client, match):
    client.force_login(match.mentor)
    response = post_report(client, match, "suicidal_thoughts_plan", follow=True)
    assert Concern.objects.get().tier == 2
    html = response.content.decode()
    assert 'href="tel:988"' in html and "Thoughts of suicide with a plan can turn urgent" in html


def test_an_actively_suicidal_report_is_not_worded_as_thoughts_with_a_plan(client, match):
    client.force_login(match.mentor)
    html = post_report(client, match, "actively_suicidal", follow=True).content.decode()
    assert "Someone is about to hurt themselves" in html and "with a plan can turn urgent" not in html


@pytest.mark.django_db(transaction=True)  # the notifications are queued on commit
def test_with_the_broker_down_the_report_is_saved_and_the_one_message_says_alerting_is_delayed(client, match,
                                                                                                 dead_broker):
    client.force_login(match.mentor)
    html = post_report(client, match, "actively_suicidal", follow=True).content.decode()
    assert Concern.objects.get().tier == 3
    assert "could not be alerted just now" in html and "Your report was sent." not in html
    assert "Someone is about to hurt themselves" in html


def test_the_reporter_adds_details_after_the_report_is_saved(client, match):
    client.force_login(match.mentor)
    post_report(client, match, "decompensation")
    concern = Concern.objects.get()
    client.post(reverse("escalations:add_details", args=[concern.pk]), {"details": "He is at the station."})
    concern.refresh_from_db()
    assert concern.details.endswith("He is at the station.")
    assert concern.events.filter(what="details").exists()


def test_nobody_else_adds_details_to_a_report(client, match):
    concern = report(match, "conflict")
    for who in (match.mentee, match.mea):
        client.force_login(who)
        assert client.post(reverse("escalations:add_details", args=[concern.pk]), {"details": "x"}).status_code == 404
    concern.refresh_from_db()
    assert concern.details == "details"


def test_empty_details_are_refused_with_a_message_and_change_nothing(client, match):
    concern = report(match, "conflict")
    client.force_login(match.mentor)
    response = client.post(reverse("escalations:add_details", args=[concern.pk]), {"details": "  "}, follow=True)
    assert b"Write the details first" in response.content or b"required" in response.content
    concern.refresh_from_db()
    assert concern.details == "details"


def test_bad_input_changes_nothing_and_does_not_fail(client, match, other_group):
    client.force_login(match.mentor)
    assert post_report(client, match).status_code == 200
    assert post_report(client, match, "nonsense").status_code == 200
    assert post_report(client, match, "conflict", about="mentor").status_code == 200  # about themselves
    stranger = MatchFactory(group=other_group)
    assert post_report(client, stranger, "conflict").status_code == 200
    assert not Concern.objects.exists()


def test_the_reporter_sees_status_but_not_the_handlers_notes(client, match):
    concern = report(match, "conflict")
    client.force_login(match.mea)
    client.post(reverse("escalations:inbox_act", args=[concern.pk, "note"]), {"note": "PRIVATE-HANDLER-NOTE"})
    client.post(reverse("escalations:inbox_act", args=[concern.pk, "acknowledge"]))
    client.force_login(match.mentor)
    html = client.get(reverse("escalations:my_report", args=[concern.pk])).content.decode()
    assert "Acknowledged" in html and "PRIVATE-HANDLER-NOTE" not in html


def test_the_reporter_accepts_a_debrief_and_the_mea_marks_it_held(client, match):
    concern = report(match, "victim_of_abuse")
    client.force_login(match.mentor)
    client.post(reverse("escalations:debrief_answer", args=[concern.debrief.pk]), {"answer": "accept"})
    concern.debrief.refresh_from_db()
    assert concern.debrief.status == "accepted"
    client.force_login(match.mea)
    client.post(reverse("escalations:inbox_act", args=[concern.pk, "debrief_done"]))
    concern.debrief.refresh_from_db()
    assert concern.debrief.status == "done"


def test_the_mea_works_a_report_from_the_inbox(client, match):
    concern = report(match, "conflict")
    client.force_login(match.mea)
    assert f"#{concern.pk}" in client.get(reverse("escalations:inbox")).content.decode()
    for action, data in [("acknowledge", {}), ("start", {}), ("resolve", {"outcome": "Mediated."})]:
        client.post(reverse("escalations:inbox_act", args=[concern.pk, action]), data)
    concern.refresh_from_db()
    assert concern.status == "resolved" and concern.outcome == "Mediated."


def test_an_invalid_step_shows_a_message_and_changes_nothing(client, match):
    concern = report(match, "conflict")
    client.force_login(match.mea)
    response = client.post(reverse("escalations:inbox_act", args=[concern.pk, "resolve"]), {"outcome": "x"}, follow=True)
    assert b"not possible now" in response.content
    assert client.post(reverse("escalations:inbox_act", args=[concern.pk, "explode"])).status_code == 404
    concern.refresh_from_db()
    assert concern.status == "open"


def test_the_mea_escalates_to_staff_with_a_reason(client, match, staff_user):
    concern = report(match, "conflict")
    client.force_login(match.mea)
    client.post(reverse("escalations:inbox_act", args=[concern.pk, "escalate"]), {"reason": "Needs staff."})
    concern.refresh_from_db()
    assert concern.escalated_to_staff


# --- Who sees what: everything outside a person's scope is a 404 ---------------


def test_the_mea_named_in_a_report_cannot_see_it_anywhere(client, match):
    concern = report(match, "harassed", about="mea")
    client.force_login(match.mea)
    assert client.get(reverse("escalations:inbox_detail", args=[concern.pk])).status_code == 404
    assert client.post(reverse("escalations:inbox_act", args=[concern.pk, "acknowledge"])).status_code == 404
    assert f"#{concern.pk}<" not in client.get(reverse("escalations:inbox")).content.decode()
    assert client.get(reverse("escalations:my_report", args=[concern.pk])).status_code == 404


@pytest.mark.parametrize("who", ["mentee", "coordinator", "plain_member", "other_mea", "staff_user"])
def test_people_outside_a_tier_one_report_get_404(client, match, request, who, group):
    concern = report(match, "conflict")
    user = member("mea", group) if who == "other_mea" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("escalations:my_report", args=[concern.pk])).status_code == 404
    assert client.get(reverse("escalations:inbox_detail", args=[concern.pk])).status_code == 404
    assert client.post(reverse("escalations:inbox_act", args=[concern.pk, "note"]), {"note": "x"}).status_code == 404


def test_the_mea_does_not_see_a_policy_report_on_their_match(client, match, staff_user):
    concern = report(match, "discriminated")
    client.force_login(match.mea)
    assert client.get(reverse("escalations:inbox_detail", args=[concern.pk])).status_code == 404


@pytest.mark.parametrize("who", ["mentor", "mentee", "mea", "coordinator"])
def test_only_staff_reach_the_staff_home(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("escalations:staff_home")).status_code == 404


@pytest.mark.parametrize("who", ["mentor", "mentee", "coordinator"])
def test_only_meas_reach_the_inbox(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("escalations:inbox")).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, match):
    concern = report(match, "conflict")
    for url in (reverse("escalations:report"), reverse("escalations:my_report", args=[concern.pk])):
        assert client.get(url).status_code == 302


# --- Staff in the admin ---------------------------------------------------------


def test_staff_see_escalated_reports_but_not_tier_one_the_mea_holds(client, match, staff_user):
    held = report(match, "conflict")
    shown = report(match, "victim_of_abuse")
    client.force_login(staff_user)
    changelist = client.get(reverse("admin:escalations_concern_changelist"))
    assert changelist.status_code == 200
    ids = [c.pk for c in changelist.context["cl"].result_list]
    assert ids == [shown.pk]
    assert client.get(reverse("admin:escalations_concern_change", args=[held.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:escalations_concern_change", args=[shown.pk])).status_code == 200
    read = AccessEvent.objects.get()
    assert (read.actor, read.object_id) == (staff_user, str(shown.pk))


def test_staff_acknowledge_assign_and_resolve_from_the_admin_through_the_services(client, match, staff_user, group):
    other_staff = member("staff", group)
    concern = report(match, "victim_of_abuse")
    client.force_login(staff_user)
    url = reverse("admin:escalations_concern_changelist")
    client.post(url, {"action": "acknowledge", "_selected_action": [concern.pk]})
    client.post(url, {"action": "assign", "_selected_action": [concern.pk], "assignee": other_staff.pk})
    client.post(url, {"action": "resolve", "_selected_action": [concern.pk], "outcome": "Referred to counselling."})
    concern.refresh_from_db()
    assert concern.status == "resolved" and concern.assigned_to == other_staff
    assert set(concern.events.values_list("what", flat=True)) == {"raised", "acknowledged", "assigned", "resolved"}


def test_the_admin_filters_by_tier_status_age_group_and_overdue(client, staff_user, match):
    report(match, "victim_of_abuse")
    client.force_login(staff_user)
    url = reverse("admin:escalations_concern_changelist")
    for query in ("tier__exact=2", "status__exact=open", "age=1d", "age=older", "overdue=yes",
                  f"group={match.group.name}"):
        assert client.get(f"{url}?{query}").status_code == 200


@pytest.mark.parametrize("who", ["mea", "coordinator", "mentor"])
def test_nobody_but_staff_opens_the_admin_queue(client, request, who):
    user = request.getfixturevalue(who)
    user.is_staff = True  # even with admin access of some other kind
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:escalations_concern_changelist")).status_code == 403


def test_the_staff_home_summarises_the_queue(client, staff_user, match):
    report(match, "victim_of_abuse")
    client.force_login(staff_user)
    response = client.get(reverse("escalations:staff_home"))
    assert response.context["summary"]["open"] == 1
    assert reverse("admin:escalations_concern_changelist").encode() in response.content


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_inbox_and_my_reports_use_a_fixed_number_of_queries(client, match, rows, django_assert_max_num_queries):
    ConcernFactory.create_batch(rows, match=match)
    client.force_login(match.mea)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("escalations:inbox")).status_code == 200
    client.force_login(match.mentor)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("escalations:mine")).status_code == 200


def test_the_inbox_lists_open_reports_by_tier_then_deadline_and_resolved_last_with_the_tier_in_words(
        client, match, staff_user):
    tier1 = report(match, "conflict")
    services.concern_acknowledge(tier1, match.mea)
    services.concern_start(tier1, match.mea)
    emergency = report(match, "decompensation", details="e")
    monitor = report(match, "victim_of_abuse", details="m")
    done = report(match, "relational", details="r")
    services.concern_acknowledge(done, match.mea)
    services.concern_resolve(done, match.mea, "Talked")
    Concern.objects.filter(pk=emergency.pk).update(ack_deadline=timezone.now() + timezone.timedelta(days=9))
    client.force_login(match.mea)
    html = client.get(reverse("escalations:inbox")).content.decode()
    order = [html.index(f">#{c.pk}<") for c in (emergency, monitor, tier1, done)]
    assert order == sorted(order)
    assert "Urgent" in html and "Needs staff today" in html and zone_abbreviation(match.mea) in html


def test_the_meas_navigation_links_the_inbox_with_the_count_waiting(client, match):
    report(match, "conflict")
    report(match, "communication", details="c")
    client.force_login(match.mea)
    html = client.get(reverse("profiles:me")).content.decode()
    assert f'href="{reverse("escalations:inbox")}"' in html and ">2<span class=\"visually-hidden\"> waiting" in html


def test_the_navigation_has_no_inbox_for_people_who_are_not_meas(client, match):
    report(match, "conflict")
    client.force_login(match.mentor)
    assert reverse("escalations:inbox").encode() not in client.get(reverse("profiles:me")).content


def test_the_staff_queue_lists_open_reports_by_tier_resolved_last_with_deadlines_and_their_time_zone(
        client, match, staff_user):
    resolved3 = report(match, "hurting_someone", details="x")
    services.concern_acknowledge(resolved3, staff_user)
    services.concern_resolve(resolved3, staff_user, "Police came")
    open2 = report(match, "victim_of_abuse", details="y")
    open3 = report(match, "decompensation", details="z")
    client.force_login(staff_user)
    html = client.get(reverse("admin:escalations_concern_changelist")).content.decode()
    ids = [html.index(f"/admin/escalations/concern/{c.pk}/change/") for c in (open3, open2, resolved3)]
    assert ids == sorted(ids)
    assert "Urgent" in html and "Needs staff today" in html and zone_abbreviation(staff_user) in html


def zone_abbreviation(person) -> str:
    """The reader's own time zone as deadlines name it ("EST"): times are shown in their zone (issue 19)."""
    from profiles.models import Profile

    return timezone.localtime(timezone.now(), Profile.objects.get(user=person).zone).tzname()


def test_a_notification_says_urgent_without_saying_what_and_links_the_mea_to_their_inbox(match, staff_user,
                                                                                            mailoutbox):
    from escalations.notifications import concern_path, concern_subject

    concern = report(match, "actively_suicidal")
    assert concern_subject(concern).startswith("Urgent")
    assert "suicid" not in concern_subject(concern).lower()
    assert concern_path(concern, match.mea.pk).endswith(reverse("escalations:inbox_detail", args=[concern.pk]))
    assert concern_path(concern, staff_user.pk).endswith(
        reverse("admin:escalations_concern_change", args=[concern.pk]))
    monitor = report(match, "victim_of_abuse", details="v")
    assert "needs staff today" in concern_subject(monitor)
    client_link = concern_path(monitor, match.mea.pk)
    assert "/concerns/inbox/" in client_link


def test_the_debrief_after_harassment_is_not_worded_as_someone_elses_crisis(client, match, staff_user):
    concern = concern_raise(reporter=match.mentee, match=match, situations=["harassed"], about="mentor")
    client.force_login(match.mentee)
    html = client.get(reverse("escalations:my_report", args=[concern.pk])).content.decode()
    assert "Carrying someone else" not in html and "Being harassed or treated unfairly is not okay" in html


def test_a_groups_own_numbers_are_shown_on_its_reports_and_blanks_fall_back_to_the_programs(client, match):
    from escalations.models import GroupEmergencyNumbers

    GroupEmergencyNumbers.objects.create(group=match.group, emergency="112", dv_call="0808 2000 247")
    client.force_login(match.mentor)
    html = post_report(client, match, "abusing_someone", follow=True).content.decode()
    assert 'href="tel:112"' in html and 'href="tel:08082000247"' in html and 'href="tel:911"' not in html
    assert 'href="tel:18004224453"' in html  # not overridden: the program's child abuse hotline
    assert 'href="tel:911"' in client.get("/help/").content.decode(), "the public page keeps the program's"
