"""Erasure reaches the history (audit/): the event tables copy rows (an invitation's address,
a profile's name and words) and the context of changes; after an erasure none of the
member's identifiers is left in any of them, while the rows themselves stay."""

import json

import pghistory
import pytest
from django.urls import reverse

from audit.history import event_models
from privacy import services
from profiles.acting import acting_for
from profiles.joining_services import invitation_accept, invitation_create
from profiles.models import Profile, Role
from profiles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL, NAME = "quinn.harlow@example.org", "Quinn Harlow"


def _history_text() -> str:
    rows = [row for model in event_models() for row in model.objects.values()]
    rows += list(pghistory.models.Context.objects.values("metadata"))
    return json.dumps(rows, default=str).lower()


def test_no_identifier_of_an_erased_member_survives_in_any_event_table_or_context(client, coordinator, group):
    with acting_for(coordinator):
        invitation = invitation_create(by=coordinator, group=group, email=EMAIL, role=Role.MENTEE)
    quinn = UserFactory(email=EMAIL)
    invitation_accept(invitation_id=invitation.pk, user=quinn, verify=False)
    Profile.objects.update_or_create(user=quinn, defaults={"display_name": NAME, "bio": "QUINN-OWN-WORDS"})
    with pghistory.context(user=coordinator.pk, url=f"/people/?q={EMAIL}"):
        Profile.objects.filter(user=quinn).update(availability="Evenings")
    before = _history_text()
    assert EMAIL in before and NAME.lower() in before and "quinn-own-words" in before
    rows_before = {model._meta.label: model.objects.count() for model in event_models()}

    request = services.erasure_request(quinn)
    client.force_login(coordinator)
    assert client.post(reverse("privacy:erasure_complete", args=[request.pk])).status_code == 302

    after = _history_text()
    for word in (EMAIL, NAME.lower(), "quinn", "quinn-own-words"):
        assert word not in after, [line for line in after.split("}, {") if word in line][:3]
    for label, count in rows_before.items():
        assert len([m for m in event_models() if m._meta.label == label][0].objects.all()) >= count, label
