from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Block, ChatMessage, ChatPost, ChatReport, ChatThread
from community.services import CommunityError
from community.tests.factories import ChatPostFactory
from notifications.models import Delivery, Notice
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _post(author, group, **kw):
    return services.post_create(author=author, group=group, kind=kw.get("kind", "offer"),
                                title=kw.get("title", "Happy to talk"), body=kw.get("body", "Evenings are good."))


def test_a_member_posts_an_offer_and_another_replies_privately_through_the_portal(client, group):
    alice, bob = member(None, group), member(None, group)
    client.force_login(alice)
    response = client.post(reverse("community:post_create"),
                           {"kind": "offer", "group": group.pk, "title": "Happy to listen", "body": "Evenings."})
    post = ChatPost.objects.get()
    assert response.status_code == 302 and post.author == alice and post.is_live
    client.force_login(bob)
    assert "Happy to listen" in client.get(reverse("community:board")).content.decode()
    response = client.post(reverse("community:post_reply", args=[post.pk]),
                           {"body": "I would love to talk", "contact_method": "phone"})
    thread = ChatThread.objects.get()
    assert response.url == reverse("community:thread_detail", args=[thread.pk])
    assert (thread.author, thread.replier, thread.contact_method) == (alice, bob, "phone")
    assert Notice.objects.filter(user=alice).count() == 1
    client.force_login(alice)
    page = client.get(reverse("community:thread_detail", args=[thread.pk])).content.decode()
    assert "I would love to talk" in page
    client.post(reverse("community:thread_contact", args=[thread.pk]), {"agree": "1"})
    thread.refresh_from_db()
    assert thread.contact_agreed_at is not None


def test_the_thread_is_private_to_the_two_people_even_from_staff_and_coordinators(client, group, coordinator, staff_user):
    alice, bob, carol = member(None, group), member(None, group), member(None, group)
    thread = services.reply_to_author(post=_post(alice, group), replier=bob, body="hi")
    for outsider in (carol, coordinator, staff_user):
        client.force_login(outsider)
        assert client.get(reverse("community:thread_detail", args=[thread.pk])).status_code == 404
        assert client.post(reverse("community:thread_message", args=[thread.pk]), {"body": "x"}).status_code == 404
    assert ChatMessage.objects.count() == 1


def test_a_post_is_visible_to_members_of_its_group_only(client, group, other_group):
    alice, outsider = member(None, group), member(None, other_group)
    post = _post(alice, group)
    client.force_login(outsider)
    assert client.get(reverse("community:post_detail", args=[post.pk])).status_code == 404
    assert post.title not in client.get(reverse("community:board")).content.decode()
    assert client.post(reverse("community:post_reply", args=[post.pk]), {"body": "hi"}).status_code == 404
    assert not ChatThread.objects.exists()


def test_a_member_cannot_post_to_a_group_they_do_not_belong_to(client, group, other_group):
    alice = member(None, group)
    with pytest.raises(CommunityError):
        _post(alice, other_group)
    client.force_login(alice)
    response = client.post(reverse("community:post_create"),
                           {"kind": "offer", "group": other_group.pk, "title": "t", "body": "b"})
    assert response.status_code == 200 and not ChatPost.objects.exists()


def test_posts_expire_after_the_set_time_and_take_no_more_replies(settings, group):
    settings.CHAT_POST_TTL_DAYS = 3
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group)
    assert post.expires_at - post.created_at == timedelta(days=3)
    ChatPost.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=4),
                                               expires_at=timezone.now() - timedelta(days=1))
    assert not ChatPost.objects.visible_to(bob).live().exists()
    with pytest.raises(CommunityError):
        services.reply_to_author(post=post, replier=bob, body="hello")


def test_the_author_closes_a_post_and_others_cannot(client, group):
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group)
    client.force_login(bob)
    client.post(reverse("community:post_close", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == ChatPost.Status.OPEN
    client.force_login(alice)
    client.post(reverse("community:post_close", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == ChatPost.Status.CLOSED and post.closed_at
    with pytest.raises(CommunityError):
        services.reply_to_author(post=post, replier=bob, body="hello")


def test_replying_twice_continues_the_same_thread_and_nobody_replies_to_themselves(group):
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group)
    first = services.reply_to_author(post=post, replier=bob, body="one")
    second = services.reply_to_author(post=post, replier=bob, body="two")
    assert first.pk == second.pk and first.messages.count() == 2
    with pytest.raises(CommunityError):
        services.reply_to_author(post=post, replier=alice, body="me")


@pytest.mark.postgres
def test_the_database_refuses_a_thread_with_oneself(group):
    alice = member(None, group)
    post = _post(alice, group)
    with pytest.raises(IntegrityError):
        ChatThread.objects.create(post=post, author=alice, replier=alice)


def test_a_person_cannot_agree_to_their_own_suggestion(group):
    alice, bob = member(None, group), member(None, group)
    thread = services.reply_to_author(post=_post(alice, group), replier=bob, body="hi", contact_method="text")
    with pytest.raises(CommunityError):
        services.contact_agree(thread=thread, by=bob)
    services.contact_propose(thread=thread, by=alice, method="email")
    thread = services.contact_agree(thread=thread, by=bob)
    assert thread.contact_method == "email" and thread.contact_agreed_at


def test_contact_details_show_only_once_both_agree(client, group):
    alice, bob = member(None, group), member(None, group)
    thread = services.reply_to_author(post=_post(alice, group), replier=bob, body="hi", contact_method="email")
    client.force_login(bob)
    assert alice.email not in client.get(reverse("community:thread_detail", args=[thread.pk])).content.decode()
    services.contact_agree(thread=thread, by=alice)
    assert alice.email in client.get(reverse("community:thread_detail", args=[thread.pk])).content.decode()


def test_after_a_block_neither_sees_the_others_posts_or_threads(client, group):
    alice, bob = member(None, group), member(None, group)
    alice_post, bob_post = _post(alice, group, title="Alice offers"), _post(bob, group, title="Bob asks")
    thread = services.reply_to_author(post=alice_post, replier=bob, body="hi")
    client.force_login(alice)
    client.post(reverse("community:block_thread_other", args=[thread.pk]))
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    for viewer, hidden_post in ((alice, bob_post), (bob, alice_post)):
        client.force_login(viewer)
        assert hidden_post.title not in client.get(reverse("community:board")).content.decode()
        assert client.get(reverse("community:post_detail", args=[hidden_post.pk])).status_code == 404
        assert client.get(reverse("community:thread_detail", args=[thread.pk])).status_code == 404
    with pytest.raises(CommunityError):
        services.message_send(thread=thread, sender=bob, body="still there?")


def test_unblocking_shows_them_again(client, group):
    alice, bob = member(None, group), member(None, group)
    post = _post(bob, group)
    block = services.block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    assert client.post(reverse("community:block_remove", args=[block.pk])).status_code == 404
    client.force_login(alice)
    client.post(reverse("community:block_remove", args=[block.pk]))
    assert client.get(reverse("community:post_detail", args=[post.pk])).status_code == 200


def test_a_report_reaches_the_groups_coordinator_without_content_in_the_email(
    client, group, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group, body="A very private sentence")
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:report_post", args=[post.pk]), {"reason": "spam", "note": "secret note"})
    assert response.status_code == 302
    report = ChatReport.objects.get()
    assert report.group == group
    assert Notice.objects.filter(user=coordinator).count() == 1
    email = Delivery.objects.get(to=coordinator.email)
    for text in (email.subject, email.body_text, email.body_html):
        assert "private sentence" not in text and "secret note" not in text and post.title not in text
    assert len(mailoutbox) == 1 and "secret note" not in mailoutbox[0].body
    client.force_login(coordinator)
    page = client.get(reverse("community:report_detail", args=[report.pk])).content.decode()
    assert "A very private sentence" in page
    client.post(reverse("community:report_resolve", args=[report.pk]), {"close_post": "1"})
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.status == ChatReport.Status.RESOLVED and post.status == ChatPost.Status.CLOSED


def test_a_private_message_can_be_reported_by_its_recipient_only(client, group, coordinator):
    alice, bob = member(None, group), member(None, group)
    thread = services.reply_to_author(post=_post(alice, group), replier=bob, body="rude words")
    message = thread.messages.get()
    client.force_login(bob)
    assert client.get(reverse("community:report_message", args=[message.pk])).status_code == 404
    client.force_login(alice)
    client.post(reverse("community:report_message", args=[message.pk]), {"reason": "harassment"})
    assert ChatReport.objects.get().message == message


def test_another_groups_coordinator_cannot_see_or_resolve_a_report(client, group, other_group):
    alice, bob = member(None, group), member(None, group)
    report = services.report_create(reporter=bob, reason="spam", post=_post(alice, group))
    stranger = member("coordinator", other_group)
    client.force_login(stranger)
    assert client.get(reverse("community:report_detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("community:report_resolve", args=[report.pk])).status_code == 404
    client.force_login(alice)  # the reported author does not learn of it
    assert client.get(reverse("community:report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("community:report_list")).status_code == 404
    report.refresh_from_db()
    assert report.status == ChatReport.Status.OPEN


def test_bad_input_on_the_board_changes_nothing_and_never_fails(client, group):
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group)
    client.force_login(bob)
    reply = client.post(reverse("community:post_reply", args=[post.pk]), {"body": "", "contact_method": "pigeon"})
    assert reply.status_code == 302
    assert client.post(reverse("community:post_create"), {"kind": "nonsense", "group": "x"}).status_code == 200
    assert client.post(reverse("community:report_post", args=[post.pk]), {"reason": "??"}).status_code == 200
    assert not ChatThread.objects.exists() and ChatPost.objects.count() == 1 and not ChatReport.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    post = ChatPostFactory(group=group)
    for url in (reverse("community:board"), reverse("community:post_detail", args=[post.pk])):
        assert "/login/" in client.get(url).url


def test_the_board_lists_posts_in_a_fixed_number_of_queries(client, group, django_assert_max_num_queries):
    viewer = member(None, group)
    authors = [member(None, group) for _ in range(3)]

    def count_queries(n):
        ChatPostFactory.create_batch(n, author=authors[n % 3], group=group)
        client.force_login(viewer)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("community:board")).status_code == 200
        return len(ctx.captured_queries)

    small = count_queries(10)
    ChatPost.objects.all().delete()
    large = count_queries(150)
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(reverse("community:board"))


def test_the_admin_lists_posts_and_reports_but_not_private_threads(client, group, staff_user):
    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group)
    services.reply_to_author(post=post, replier=bob, body="private words")
    report = services.report_create(reporter=bob, reason="spam", post=post)
    client.force_login(staff_user)
    assert client.get(reverse("admin:community_chatpost_changelist")).status_code == 200
    assert client.get(reverse("admin:community_chatreport_change", args=[report.pk])).status_code == 200
    client.post(reverse("admin:community_chatreport_changelist"), {"action": "resolve", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == ChatReport.Status.RESOLVED
    assert "private words" not in client.get(reverse("admin:community_chatpost_changelist")).content.decode()


def test_only_members_of_the_posts_group_can_reply(group, other_group):
    alice = member(None, group)
    outside_coordinator = member("coordinator", other_group)
    post = _post(alice, group)
    with pytest.raises(CommunityError):
        services.reply_to_author(post=post, replier=outside_coordinator, body="hi")
    assert not ChatThread.objects.exists()


def test_a_members_export_has_their_posts_and_messages_and_erasure_blanks_them(group):
    from privacy.services import export_for

    alice, bob = member(None, group), member(None, group)
    post = _post(alice, group, body="My own words")
    services.reply_to_author(post=post, replier=bob, body="Bob's words")
    data = export_for(alice)["program_data"]["community"]
    assert data["posts"][0]["body"] == "My own words" and data["messages_sent"] == []
    from community import privacy

    privacy.erase(alice)
    post.refresh_from_db()
    assert "My own words" not in post.body and ChatMessage.objects.get().body == "Bob's words"
