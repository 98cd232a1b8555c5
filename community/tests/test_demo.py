import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import ChatPost, ChatThread, Resource, SavedResource
from matches.models import Match
from profiles.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_offer_a_request_a_private_thread_and_curated_resources_and_runs_twice():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (ChatPost.objects.count(), ChatThread.objects.count(), Resource.objects.count(),
              SavedResource.objects.count())
    assert set(ChatPost.objects.values_list("kind", flat=True)) == {"offer", "request"}
    days = {(timezone.now() - p.created_at).days for p in ChatPost.objects.all()}
    assert len(days) == 2 and max(days) >= 4, f"the board has a week of activity, not one moment: {days}"
    assert ChatPost.objects.filter(expires_at__gt=timezone.now()).count() == 2, "every demo post is still open"
    thread = ChatThread.objects.get()
    assert thread.contact_agreed_at and thread.messages.count() == 2
    assert Resource.objects.filter(group__isnull=False).exists()
    if Match.objects.active().filter(mentee__email="mentee@example.org").exists():
        assert SavedResource.objects.get().match.mentee.email == "mentee@example.org"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (ChatPost.objects.count(), ChatThread.objects.count(), Resource.objects.count(),
                      SavedResource.objects.count())


def test_the_demo_skips_saving_without_demo_matches():
    from community import demo
    from profiles.demo import DemoContext
    from profiles.demo import seed as seed_people

    ctx = DemoContext()
    seed_people(ctx)
    Match.objects.all().delete()
    demo.seed(ctx)
    assert not SavedResource.objects.exists() and any("no demo match" in line for line in ctx.lines)
    assert User.objects.filter(email="mentor@example.org").exists()
