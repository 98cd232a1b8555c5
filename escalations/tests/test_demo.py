import pytest
from django.core.management import call_command

from escalations.models import Concern

pytestmark = pytest.mark.django_db


def test_the_demo_has_reports_at_every_tier_and_status_that_each_role_can_open(client):
    call_command("seed_demo")
    assert set(Concern.objects.values_list("tier", flat=True)) == {1, 2, 3}
    assert set(Concern.objects.values_list("status", flat=True)) == {"open", "acknowledged", "in_progress", "resolved"}
    assert Concern.objects.filter(about="mea", routed_to_mea=None).exists()
    assert Concern.objects.filter(about="self", tier=2).exists() and Concern.objects.filter(about="someone").exists()
    assert Concern.objects.filter(tier=3, status="open").exists()
    for email, url in [("mea.alex@example.org", "/concerns/inbox/"), ("mentor@example.org", "/concerns/mine/"),
                       ("dana.director@example.org", "/concerns/staff/"),
                       ("dana.director@example.org", "/admin/escalations/concern/")]:
        client.force_login(Concern.objects.model._meta.get_field("reporter").related_model.objects.get(email=email))
        assert client.get(url).status_code == 200, url


def test_the_demos_reports_were_acknowledged_in_believable_times_within_their_tiers_deadline():
    """The insights chart of time to acknowledge once showed emergencies taking ~400 hours: demo
    data that told the wrong story (issue 19). Every acknowledged demo report was acknowledged
    after it was raised and within its tier's deadline."""
    call_command("seed_demo")
    acknowledged = Concern.objects.exclude(acknowledged_at=None)
    assert {c.tier for c in acknowledged} == {1, 2, 3}
    for c in acknowledged:
        hours = (c.acknowledged_at - c.created_at).total_seconds() / 3600
        assert 0 < hours <= c.deadlines[str(c.tier)], (c.pk, c.tier, hours)
