"""The informal 1:1 chat board and program insights in a real browser."""

import pytest
from django.core.management import call_command

from community.models import ChatPost, ChatThread
from profiles.models import User
from profiles.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_offers_to_talk_and_another_replies_privately(site, group):
    site.journey = "chat"
    author, replier = member(None, group), member(None, group)
    page = site.page
    site.login(author)
    site.go("/")
    page.locator("#main-nav").get_by_role("link", name="Chat board").click()
    page.wait_for_url("**/community/board/")
    site.check("board")
    page.get_by_role("link", name="Offer or ask for a chat").click()
    page.wait_for_url("**/community/board/new/")
    site.check("form")
    page.locator("input[name=kind][value=offer]").check()
    page.locator("#id_title").fill("Happy to talk with anyone new to co-parenting")
    page.locator("#id_body").fill("Evenings work for me.")
    page.get_by_role("button", name="Post").click()
    page.wait_for_url("**/community/board/*/")
    assert "Your post is on the board" in page.get_by_role("status").first.inner_text()
    post = ChatPost.objects.get(author=author)

    site.logout()
    site.login(replier)
    site.go("/community/board/")
    page.get_by_role("link", name="Happy to talk with anyone new to co-parenting").click()
    page.wait_for_url(f"**/community/board/{post.pk}/")
    site.check("post")
    page.get_by_label("Your message to the author").fill("I would love to talk. I am new to co-parenting.")
    page.get_by_role("button", name="Send privately").click()
    page.wait_for_url("**/community/chats/*/")
    assert "Your reply went to the author only" in page.get_by_role("status").first.inner_text()
    site.check("thread")
    assert ChatThread.objects.filter(post=post, replier=replier).exists()


def test_a_chat_post_without_a_title_explains_next_to_the_field_and_saves_nothing(site, group):
    site.journey = "errors-chat"
    site.login(member(None, group))
    page = site.page
    site.go("/community/board/new/")
    page.locator("input[name=kind][value=request]").check()
    page.locator("#id_body").fill("Anyone around this weekend?")
    page.get_by_role("button", name="Post").click()
    page.wait_for_load_state()
    assert "required" in site.field_error("id_title")
    site.check("no-title")
    assert not ChatPost.objects.exists()


def test_a_coordinator_reads_program_insights_charts_on_phone_and_desktop(site):
    site.journey = "insights"
    call_command("seed_demo", verbosity=0)
    site.login(User.objects.get(email="coordinator@example.org"))
    site.go("/")
    site.page.locator("#main-nav").get_by_role("link", name="Insights").click()
    site.page.wait_for_url("**/community/insights/**")
    assert site.page.locator("main svg").count() >= 1
    site.check("charts")
