"""Property-based tests of every POST endpoint of community (chat board posts, replies,
messages, contact choice, reports, blocks; the toolkit's resources and saves): bad,
oversized, NUL-laden, wrong-typed or missing input, other people's ids and double
submits get a form error or a clear 4xx, never a 500, and save nothing (not even half).

The insights filters are GET forms (tested in community/tests/test_insights.py)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from community import services
from community.forms import MessageForm, ReplyForm
from community.forms import ReportForm as ChatReportForm
from community.models import Block, ChatMessage, ChatPost, ChatReport, ChatThread, ContactMethod, Resource, SavedResource
from community.tests.factories import ChatPostFactory, ResourceFactory
from matches.tests.factories import MatchFactory
from profiles.models import Role
from profiles.resubmit import RESUBMIT_WINDOW
from profiles.tests.factories import TopicFactory, member
from tests.fuzzing import (
    ACCEPTED,
    FUZZ,
    REFUSED,
    State,
    as_,
    as_posted,
    assert_every_post_endpoint_is_fuzzed,
    bool_junk,
    fields,
    huge_ids,
    ids,
    junk,
    rolled_back,
    send,
    spoiled,
)

pytestmark = pytest.mark.django_db

FUZZED = {
    "community:post_create", "community:post_close", "community:post_reply", "community:report_post",
    "community:block_post_author", "community:thread_message", "community:thread_contact",
    "community:block_thread_other", "community:report_message", "community:block_remove", "community:report_resolve",
    "community:resource_create", "community:resource_edit", "community:resource_status", "community:resource_save",
    "community:saved_remove",
}
STATE = State("community", "profiles", "matches")
whose = st.one_of(st.sampled_from(["mine", "theirs"]), huge_ids)
methods = st.one_of(st.sampled_from(ContactMethod.values), junk)


def test_every_post_endpoint_of_community_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("community", FUZZED)


@pytest.fixture
def w(group, other_group):
    """In each of two groups: a post, a reply thread with one message, a report of the post,
    a curated resource, an active match with the resource saved on it, and a block."""
    author, replier = member(Role.MENTEE, group), member(Role.MENTOR, group)
    stranger, stranger_replier = member(Role.MENTEE, other_group), member(Role.MENTOR, other_group)
    post = ChatPostFactory(author=author, group=group)
    other_post = ChatPostFactory(author=stranger, group=other_group)
    thread = services.reply_to_author(post=post, replier=replier, body="Hello")
    other_thread = services.reply_to_author(post=other_post, replier=stranger_replier, body="Hi")
    resource, other_resource = ResourceFactory(group=group), ResourceFactory(group=other_group)
    match = MatchFactory(mentor=replier, mentee=author, group=group)
    other_match = MatchFactory(mentor=stranger_replier, mentee=stranger, group=other_group)
    return SimpleNamespace(
        group=group, other_group=other_group, author=author, replier=replier, stranger=stranger,
        newcomer=member(Role.MENTEE, group), coordinator=member(Role.COORDINATOR, group),
        other_coordinator=member(Role.COORDINATOR, other_group),
        post=post, other_post=other_post, thread=thread, other_thread=other_thread,
        message=thread.messages.get(), other_message=other_thread.messages.get(),
        report=services.report_create(reporter=replier, reason="spam", post=post),
        other_report=services.report_create(reporter=stranger_replier, reason="spam", post=other_post),
        resource=resource, other_resource=other_resource, match=match, other_match=other_match,
        saved=SavedResource.objects.create(match=match, resource=resource, saved_by=author),
        other_saved=SavedResource.objects.create(match=other_match, resource=other_resource, saved_by=stranger),
        block=Block.objects.create(blocker=author, blocked=member(Role.MENTEE, group)),
        other_block=Block.objects.create(blocker=stranger, blocked=member(Role.MENTEE, other_group)),
    )


def pick(which, mine, theirs):
    return {"mine": mine.pk, "theirs": theirs.pk}.get(which, which)


def rows(model, **where):
    return list(model.objects.filter(**where).order_by("pk").values())


# --- Posts ------------------------------------------------------------------------------


@FUZZ
@given(data=spoiled({"kind": "offer", "title": "Happy to talk", "body": "Evenings work."}),
       group=st.one_of(st.sampled_from(["mine", "theirs"]), ids))
def test_a_post_with_any_input_is_a_form_error_or_one_post_in_the_authors_group(w, data, group):
    data["group"] = pick(group, w.group, w.other_group)
    with rolled_back():
        before = ChatPost.objects.count()
        _, verdict = send(as_(w.newcomer), reverse("community:post_create"), data, state=STATE)
        assert ChatPost.objects.count() == before + (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            post = ChatPost.objects.latest("pk")
            assert (post.author, post.group, post.title) == (w.newcomer, w.group, data["title"].strip())


def test_a_double_submitted_post_is_one_post(w):
    client, data = as_(w.newcomer), {"kind": "request", "group": w.group.pk, "title": "Anyone?", "body": "Hi all"}
    for _ in range(2):
        assert send(client, reverse("community:post_create"), data, state=STATE)[1] == ACCEPTED
    assert ChatPost.objects.filter(author=w.newcomer).count() == 1


@FUZZ
@given(which=whose, who=st.sampled_from(["author", "replier", "coordinator", "stranger"]), extra=fields(["status"]))
def test_closing_a_post_as_anyone_closes_only_ones_own(w, which, who, extra):
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("community:post_close",
                                                               args=[pick(which, w.post, w.other_post)]),
                                 extra, state=STATE)
        if (which == "mine") == (who == "stranger"):  # the stranger is the other group's author
            assert response.status_code == 404
        w.post.refresh_from_db()
        assert (w.post.status == ChatPost.Status.CLOSED) == (verdict == ACCEPTED)
        assert verdict != ACCEPTED or who == "author"


def test_a_post_closed_twice_is_closed_once(w):
    client, url = as_(w.author), reverse("community:post_close", args=[w.post.pk])
    assert send(client, url, {}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {}, state=STATE)[1] == REFUSED


# --- Replies, messages, the way to talk ---------------------------------------------------


@FUZZ
@given(data=spoiled({"body": "I'd like to talk.", "contact_method": "phone"}, st.one_of(methods, junk)),
       which=whose)
def test_a_reply_with_any_input_is_an_error_or_one_thread_with_one_message(w, data, which):
    with rolled_back():
        before = ChatMessage.objects.count(), ChatThread.objects.count()
        response, verdict = send(as_(w.newcomer), reverse("community:post_reply",
                                                          args=[pick(which, w.post, w.other_post)]), data, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        after = ChatMessage.objects.count(), ChatThread.objects.count()
        assert after == ((before[0] + 1, before[1] + 1) if verdict == ACCEPTED else before)


def test_a_double_submitted_reply_is_one_message(w):
    client, url = as_(w.newcomer), reverse("community:post_reply", args=[w.post.pk])
    for _ in range(2):
        assert send(client, url, {"body": "Me too!"}, state=STATE)[1] == ACCEPTED
    assert ChatMessage.objects.filter(sender=w.newcomer).count() == 1


@FUZZ
@given(data=spoiled({"body": "See you Tuesday"}), which=whose,
       who=st.sampled_from(["author", "replier", "coordinator", "newcomer"]))
def test_a_message_with_any_input_by_anyone_is_one_message_in_ones_own_thread(w, data, which, who):
    with rolled_back():
        before = ChatMessage.objects.count()
        response, verdict = send(as_(getattr(w, who)), reverse("community:thread_message",
                                                               args=[pick(which, w.thread, w.other_thread)]),
                                 data, state=STATE)
        if which != "mine" or who in ("coordinator", "newcomer"):  # private: not even the coordinator
            assert response.status_code == 404
        assert ChatMessage.objects.count() == before + (verdict == ACCEPTED)
        assert ChatMessage.objects.filter(thread=w.other_thread).count() == 1


def test_a_double_submitted_message_is_one_message_and_the_same_words_later_are_another(w, settings):
    client, url = as_(w.author), reverse("community:thread_message", args=[w.thread.pk])
    for _ in range(2):
        assert send(client, url, {"body": "Thanks!"}, state=STATE)[1] == ACCEPTED
    assert ChatMessage.objects.filter(sender=w.author).count() == 1
    ChatMessage.objects.filter(sender=w.author).update(created_at=ChatMessage.objects.get(sender=w.author).created_at
                                                       - RESUBMIT_WINDOW)
    assert send(client, url, {"body": "Thanks!"}, state=STATE)[1] == ACCEPTED
    assert ChatMessage.objects.filter(sender=w.author).count() == 2


@FUZZ
@given(data=fields(["agree", "contact_method"], st.one_of(methods, bool_junk)), which=whose,
       who=st.sampled_from(["author", "replier", "coordinator"]))
def test_choosing_the_way_to_talk_with_any_input_changes_only_ones_own_thread(w, data, which, who):
    theirs = rows(ChatThread, pk=w.other_thread.pk)
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("community:thread_contact",
                                                               args=[pick(which, w.thread, w.other_thread)]),
                                 data, state=STATE)
        if which != "mine" or who == "coordinator":
            assert response.status_code == 404
        assert rows(ChatThread, pk=w.other_thread.pk) == theirs
        w.thread.refresh_from_db()
        assert w.thread.contact_method in ["", *ContactMethod.values]


def test_a_double_submitted_agreement_agrees_once(w):
    services.contact_propose(thread=w.thread, by=w.replier, method="phone")
    client, url = as_(w.author), reverse("community:thread_contact", args=[w.thread.pk])
    assert send(client, url, {"agree": "1"}, state=STATE)[1] == ACCEPTED
    agreed = ChatThread.objects.get(pk=w.thread.pk).contact_agreed_at
    send(client, url, {"agree": "1"}, state=STATE)
    assert ChatThread.objects.get(pk=w.thread.pk).contact_agreed_at == agreed


# --- Blocks -------------------------------------------------------------------------------


@FUZZ
@given(kind=st.sampled_from(["post", "thread"]), which=whose, who=st.sampled_from(["author", "replier", "newcomer"]),
       extra=fields(["blocked", "user"], st.one_of(ids, junk)))
def test_blocking_with_any_ids_blocks_only_the_other_person_of_ones_own_post_or_thread(w, kind, which, who, extra):
    mine, theirs = (w.post, w.other_post) if kind == "post" else (w.thread, w.other_thread)
    blocker = getattr(w, who)
    with rolled_back():
        before = set(Block.objects.values_list("blocker", "blocked"))
        response, verdict = send(as_(blocker), reverse(f"community:block_{'post_author' if kind == 'post' else 'thread_other'}",
                                                       args=[pick(which, mine, theirs)]), extra, state=STATE)
        if which != "mine" or (kind == "thread" and who == "newcomer"):
            assert response.status_code == 404
        added = set(Block.objects.values_list("blocker", "blocked")) - before
        if verdict == ACCEPTED:
            other = w.author if blocker != w.author else w.replier
            assert added == {(blocker.pk, other.pk)}
        else:
            assert not added


def test_a_double_submitted_block_is_one_block(w):
    client, url = as_(w.newcomer), reverse("community:block_post_author", args=[w.post.pk])
    assert send(client, url, {}, state=STATE)[1] == ACCEPTED
    send(client, url, {}, state=STATE)  # the post is now hidden from them: a 404, or "blocked" again
    assert Block.objects.filter(blocker=w.newcomer).count() == 1


@FUZZ
@given(which=whose, extra=fields(["blocked", "blocker"], st.one_of(ids, junk)))
def test_removing_a_block_with_any_id_removes_only_ones_own(w, which, extra):
    with rolled_back():
        response, verdict = send(as_(w.author), reverse("community:block_remove",
                                                        args=[pick(which, w.block, w.other_block)]),
                                 extra, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert Block.objects.filter(pk=w.other_block.pk).exists()
        assert Block.objects.filter(pk=w.block.pk).exists() == (verdict != ACCEPTED)


def test_a_block_removed_twice_is_a_404_the_second_time(w):
    client, url = as_(w.author), reverse("community:block_remove", args=[w.block.pk])
    assert send(client, url, {}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {}, state=STATE)[0].status_code == 404


# --- Reports ------------------------------------------------------------------------------


valid_report = {"reason": "harassment", "note": "Keeps messaging me."}


@FUZZ
@given(data=spoiled(valid_report, st.one_of(st.sampled_from(ChatReport.Reason.values), junk)),
       kind=st.sampled_from(["post", "message"]), which=whose)
def test_a_report_with_any_input_is_a_form_error_a_404_or_one_report(w, data, kind, which):
    reporter, path, mine, theirs = ((w.newcomer, "community:report_post", w.post, w.other_post) if kind == "post"
                                    else (w.author, "community:report_message", w.message, w.other_message))
    with rolled_back():
        before = ChatReport.objects.count()
        response, verdict = send(as_(reporter), reverse(path, args=[pick(which, mine, theirs)]), data, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert ChatReport.objects.count() == before + (verdict == ACCEPTED)


def test_reporting_ones_own_post_or_message_is_a_404(w):
    for who, path, pk in ((w.author, "community:report_post", w.post.pk),
                          (w.replier, "community:report_message", w.message.pk)):
        assert send(as_(who), reverse(path, args=[pk]), valid_report, state=STATE)[0].status_code == 404


def test_a_double_submitted_report_is_one_report_told_once(w):
    client, url = as_(w.newcomer), reverse("community:report_post", args=[w.post.pk])
    for _ in range(2):
        assert send(client, url, valid_report, state=STATE)[1] == ACCEPTED
    assert ChatReport.objects.filter(reporter=w.newcomer).count() == 1


@FUZZ
@given(data=fields(["close_post", "status"], bool_junk), which=whose,
       who=st.sampled_from(["coordinator", "other_coordinator", "replier", "author"]))
def test_resolving_a_report_as_anyone_resolves_only_the_coordinators_groups(w, data, which, who):
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("community:report_resolve",
                                                               args=[pick(which, w.report, w.other_report)]),
                                 data, state=STATE)
        if which != "mine" and who != "other_coordinator" or which == "mine" and who in ("other_coordinator", "author"):
            assert response.status_code == 404
        w.report.refresh_from_db()
        w.other_report.refresh_from_db()
        assert (w.other_report.status == ChatReport.Status.OPEN) == (verdict != ACCEPTED or which == "mine")
        assert (w.report.status == ChatReport.Status.RESOLVED) == (verdict == ACCEPTED and which == "mine")
        assert verdict != ACCEPTED or who in ("coordinator", "other_coordinator")


def test_a_report_resolved_twice_is_resolved_once(w):
    client, url = as_(w.coordinator), reverse("community:report_resolve", args=[w.report.pk])
    assert send(client, url, {"close_post": "on"}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {"close_post": "on"}, state=STATE)[1] == REFUSED


# --- Toolkit ------------------------------------------------------------------------------


def valid_resource():
    return {"title": "Grief, gently", "url": "https://example.org/grief", "body": "Short and kind."}


@FUZZ
@given(data=spoiled(valid_resource()), group=st.one_of(st.sampled_from(["mine", "theirs"]), ids),
       topics=st.lists(st.one_of(st.just("topic"), ids), max_size=2))
def test_a_new_resource_with_any_input_is_a_form_error_or_one_resource_in_the_curators_group(w, data, group, topics):
    topic = TopicFactory()
    data = {**data, "group": pick(group, w.group, w.other_group),
            "topics": [topic.pk if t == "topic" else t for t in topics]}
    with rolled_back():
        before = Resource.objects.count()
        _, verdict = send(as_(w.coordinator), reverse("community:resource_create"), data, state=STATE)
        assert Resource.objects.count() == before + (verdict == ACCEPTED)
        if verdict == ACCEPTED:
            assert Resource.objects.latest("pk").group == w.group


def test_a_double_submitted_resource_is_one_resource(w):
    client, data = as_(w.coordinator), {**valid_resource(), "group": w.group.pk}
    for _ in range(2):
        assert send(client, reverse("community:resource_create"), data, state=STATE)[1] == ACCEPTED
    assert Resource.objects.filter(title=data["title"]).count() == 1


@FUZZ
@given(data=spoiled({**valid_resource(), "group": "mine"}), which=whose)
def test_editing_a_resource_with_any_input_edits_only_the_curators_own_and_whole(w, data, which):
    if data.get("group") == "mine":
        data["group"] = w.group.pk
    theirs = rows(Resource, pk=w.other_resource.pk)
    with rolled_back():
        mine = rows(Resource, pk=w.resource.pk)
        response, verdict = send(as_(w.coordinator), reverse("community:resource_edit",
                                                             args=[pick(which, w.resource, w.other_resource)]),
                                 data, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        assert rows(Resource, pk=w.other_resource.pk) == theirs
        if verdict == REFUSED:
            assert rows(Resource, pk=w.resource.pk) == mine


@FUZZ
@given(status=st.one_of(st.sampled_from(Resource.Status.values), junk), which=whose,
       who=st.sampled_from(["coordinator", "other_coordinator"]))
def test_a_resource_status_with_any_input_changes_only_the_curators_own(w, status, which, who):
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("community:resource_status",
                                                               args=[pick(which, w.resource, w.other_resource)]),
                                 {"status": status}, state=STATE)
        if (which, who) not in (("mine", "coordinator"), ("theirs", "other_coordinator")):
            assert response.status_code == 404
        if verdict == ACCEPTED:
            assert status == Resource.Status.ARCHIVED


def test_archiving_twice_archives_once(w):
    client, url = as_(w.coordinator), reverse("community:resource_status", args=[w.resource.pk])
    assert send(client, url, {"status": "archived"}, state=STATE)[1] == ACCEPTED
    assert send(client, url, {"status": "archived"}, state=STATE)[1] == REFUSED


@FUZZ
@given(match=st.one_of(st.sampled_from(["mine", "theirs"]), ids), which=whose)
def test_saving_a_resource_with_any_ids_saves_only_to_ones_own_match(w, match, which):
    SavedResource.objects.filter(pk=w.saved.pk).delete()
    with rolled_back():
        response, verdict = send(as_(w.author), reverse("community:resource_save",
                                                        args=[pick(which, w.resource, w.other_resource)]),
                                 {"match": pick(match, w.match, w.other_match)}, state=STATE)
        if which != "mine":
            assert response.status_code == 404
        saved = list(SavedResource.objects.values_list("match", "resource"))
        expected = [(w.other_match.pk, w.other_resource.pk)]
        if verdict == ACCEPTED:
            expected.append((w.match.pk, w.resource.pk))
        assert sorted(saved) == sorted(expected)


def test_a_resource_saved_twice_is_saved_once(w):
    client, url = as_(w.replier), reverse("community:resource_save", args=[w.resource.pk])
    for _ in range(2):
        assert send(client, url, {"match": w.match.pk}, state=STATE)[1] == ACCEPTED
    assert SavedResource.objects.filter(match=w.match).count() == 1


@FUZZ
@given(which=whose, who=st.sampled_from(["author", "replier", "stranger", "coordinator"]), extra=fields(["match"]))
def test_removing_a_saved_resource_as_anyone_removes_only_from_ones_own_match(w, which, who, extra):
    with rolled_back():
        response, verdict = send(as_(getattr(w, who)), reverse("community:saved_remove",
                                                               args=[pick(which, w.saved, w.other_saved)]),
                                 extra, state=STATE)
        if (which, who) not in (("mine", "author"), ("mine", "replier"), ("theirs", "stranger"), ("mine", "coordinator")):
            assert response.status_code == 404
        if who != "stranger":
            assert SavedResource.objects.filter(pk=w.other_saved.pk).exists()
        assert verdict != ACCEPTED or who != "coordinator"


# --- Forms the form itself accepts must save, or be refused with words -----------------------


@FUZZ
@given(form=st.one_of(from_form(ReplyForm), from_form(MessageForm), from_form(ChatReportForm)), data=st.data())
def test_a_form_its_own_validation_accepts_never_fails_in_the_database(w, form, data):
    # hypothesis.extra.django makes data each form accepts: the model, the database and
    # the service must agree with it (lengths, choices, NULs), or say why not.
    url, person = {
        ReplyForm: (reverse("community:post_reply", args=[w.post.pk]), w.newcomer),
        MessageForm: (reverse("community:thread_message", args=[w.thread.pk]), w.author),
        ChatReportForm: (reverse("community:report_post", args=[w.post.pk]), w.newcomer),
    }[type(form)]
    with rolled_back():
        send(as_(person), url, as_posted(form), state=STATE)


def test_a_post_form_made_valid_by_hypothesis_saves(w):
    from community.forms import PostForm

    @FUZZ
    @given(form=from_form(PostForm, form_kwargs={"user": w.newcomer}, group=st.just(w.group)))
    def check(form):
        with rolled_back():
            _, verdict = send(as_(w.newcomer), reverse("community:post_create"), as_posted(form), state=STATE)
            assert verdict == ACCEPTED or not form.is_valid()

    check()


# --- Program insights (GET filters) -------------------------------------------------------


dates = st.one_of(st.dates().map(str), st.sampled_from(["0001-01-01", "0001-02-15", "9999-12-31", "2026-02-30"]))


@FUZZ
@given(params=fields(["group", "start", "end"], st.one_of(dates, ids, junk)),
       group=st.sampled_from([None, "mine", "theirs"]), csv=st.booleans())
def test_the_insights_filters_with_any_input_show_the_page_never_a_500_or_another_groups_data(w, params, group, csv):
    if group:
        params["group"] = pick(group, w.group, w.other_group)
    path = reverse("community:insights_csv", args=["active-matches"]) if csv else reverse("community:insights")
    response = as_(w.coordinator).get(path, params)
    assert response.status_code == 200, f"GET {path} {params!r} answered {response.status_code}"
    if not csv:
        scope = response.context["scope"]
        assert scope.group_ids == {w.group.pk} and scope.start <= scope.end


@pytest.mark.parametrize("params", [
    {"end": "0001-01-15"}, {"start": "0001-01-01", "end": "0001-01-02"}, {"start": "9999-12-31"},
    {"end": "9999-12-31"}, {"start": "0001-01-01"}, {"start": "2026-02-30"},
])
def test_the_insights_filters_at_the_ends_of_the_calendar_fall_back_to_the_defaults(w, params):
    for path in (reverse("community:insights"), reverse("community:insights_csv", args=["active-matches"])):
        response = as_(w.coordinator).get(path, params)
        assert response.status_code == 200, f"GET {path} {params!r} answered {response.status_code}"
