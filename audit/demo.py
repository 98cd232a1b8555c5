"""Demo data for the history: the program director opened the Harbor group's page in the
staff console and reworded its description, so /admin/audit/history/ has a change by a
person ("Dana Whitfield changed the support group #1: description from … to …") beside
the demo's own rows, and the read log has her read. Idempotent."""

import pghistory

from profiles.models import SupportGroup

from .access import access_record
from .models import AccessEvent

REWORDED = "Tuesday evenings, online and in person. Healing after betrayal."


def seed(ctx) -> None:
    staff, group = ctx.users["staff"], ctx.groups["harbor"]
    path = f"/admin/profiles/supportgroup/{group.pk}/change/"
    if not AccessEvent.objects.filter(actor=staff, path=path).exists():
        access_record(staff, group, path)
    if group.description != REWORDED:
        with pghistory.context(user=staff.pk, url=path):
            SupportGroup.objects.filter(pk=group.pk).update(description=REWORDED)
