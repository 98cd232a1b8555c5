"""Demo data for joining and orientation (called by profiles/demo.py): a pending
invitation, a request to join waiting for the coordinator, and one mentor whose
orientation is half done (the members page shows "not complete")."""

from .joining import Invitation, JoinRequest, OrientationAck, OrientationItem
from .joining_services import invitation_create, join_request_create
from .models import Role, SupportGroup

HALF_DONE = "mentor_rosa"


def seed(ctx, demo_user) -> None:
    items = list(OrientationItem.objects.all())
    for key, user in ctx.users.items():
        if not user.has_role(Role.MENTOR, Role.MEA):
            continue
        done = items[:2] if key == HALF_DONE else items
        OrientationAck.objects.bulk_create([OrientationAck(user=user, item=item) for item in done],
                                           ignore_conflicts=True)
    SupportGroup.objects.filter(pk=ctx.groups["cedar"].pk).update(open_to_requests=True)
    ctx.groups["cedar"].open_to_requests = True
    coordinator = ctx.users["coordinator"]
    if not Invitation.objects.filter(email="invited@example.org").exists():
        invitation_create(by=coordinator, group=ctx.groups["harbor"], email="invited@example.org", role="mentee")
    newcomer = demo_user("newcomer@example.org", "Robin Avery", time_zone="America/New_York", connect_web=True)
    if not JoinRequest.objects.filter(user=newcomer).exists():
        join_request_create(user=newcomer, group=ctx.groups["cedar"], note="I started coming on Saturdays.")
    ctx.users["newcomer"] = newcomer
    ctx.log(f"{'newcomer':<16} newcomer@example.org (asked to join Cedar; invited@example.org has an invitation)")
