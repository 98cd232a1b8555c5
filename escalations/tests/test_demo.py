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
