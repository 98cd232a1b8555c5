"""Erasure scrubs every free-text field that can mention the member, in everyone's
rows, down to the first name alone ("Of course, Fatima…" in someone else's chat
reply), driven by one registry (privacy/registry.py); a free-text field that is
neither scrubbed nor kept with a reason fails the check (issue 16)."""

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from community.models import ChatMessage, ChatPost, ChatThread
from community.tests.factories import ChatPostFactory
from matches.models import Match
from matches.tests.factories import MatchFactory, approved_mentor
from meetings.models import Goal
from privacy import services
from privacy.registry import TEXT_KEPT, free_text_fields, scrubbed_fields, unexplained_free_text
from profiles.models import Profile, Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def test_every_free_text_field_is_scrubbed_on_erasure_or_kept_with_a_reason():
    assert unexplained_free_text() == []
    existing = set(free_text_fields())
    stale = (scrubbed_fields() | set(TEXT_KEPT)) - existing
    assert not stale, f"the registry names fields that no longer exist: {sorted(stale)}"
    assert all(reason.strip() for reason in TEXT_KEPT.values())
    assert "community.ChatMessage.body" in scrubbed_fields() and "matches.Match.gratitude_note" in scrubbed_fields()


@isolate_apps("matches")
def test_a_new_free_text_field_without_a_decision_fails_the_check():
    class Diary(models.Model):
        entry = models.TextField()
        mood = models.CharField(max_length=10, choices=[("ok", "OK")])

        class Meta:
            app_label = "matches"

        def __str__(self) -> str:
            return self.entry

    assert unexplained_free_text([Diary]) == ["matches.Diary.entry"]


def test_the_first_name_alone_is_an_identifier(group):
    fatima = member(Role.MENTEE, group)
    Profile.objects.filter(user=fatima).update(display_name="Fatima Khan")
    assert {"Fatima Khan", "Fatima"} <= set(services.personal_identifiers(fatima))


def test_erasure_scrubs_her_first_name_from_other_peoples_chat_replies_notes_and_goals(group, coordinator):
    fatima = member(Role.MENTEE, group)
    Profile.objects.filter(user=fatima).update(display_name="Fatima Khan")
    mentor = approved_mentor(group)
    helper = member(Role.MENTEE, group)
    post = ChatPostFactory(author=fatima, group=group, title="Anyone around tonight?")
    thread = ChatThread.objects.create(post=post, author=fatima, replier=helper)
    reply = ChatMessage.objects.create(thread=thread, sender=helper, body="Of course, Fatima, happy to talk.")
    other_post = ChatPostFactory(author=helper, group=group, body="Thanks Fatima Khan and Fatimah for last night.")
    match = MatchFactory(mentor=mentor, mentee=fatima, group=group, status="ended", ended_by=mentor, ended_at=timezone.now(),
                         gratitude_note="Fatima taught me patience.")
    goal = Goal.objects.create(match=match, written_by=mentor, text="Help Fatima find a study group")
    Profile.objects.filter(user=helper).update(bio="I met Fatima at the spring retreat.")

    services.erasure_complete(services.erasure_request(fatima).pk, by=coordinator)

    ref = services.ERASED_REF
    assert ChatMessage.objects.get(pk=reply.pk).body == f"Of course, {ref}, happy to talk."
    assert ChatPost.objects.get(pk=other_post.pk).body == f"Thanks {ref} and Fatimah for last night."
    assert Match.objects.get(pk=match.pk).gratitude_note == f"{ref} taught me patience."
    assert Goal.objects.get(pk=goal.pk).text == f"Help {ref} find a study group"
    assert Profile.objects.get(user=helper).bio == f"I met {ref} at the spring retreat."
    # Their rows stay: the thread is the helper's too.
    assert ChatThread.objects.filter(pk=thread.pk, replier=helper).exists()
