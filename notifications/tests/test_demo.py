import pytest
from django.core.management import call_command

from notifications.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_demo_shows_an_expired_reminder_once_however_often_it_is_seeded():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Delivery.objects.filter(dedupe_key="demo:reminder-expired", status=Delivery.Status.EXPIRED).count() == 1
