"""profiles' part of a member's export and erasure (profiles imports no app, so privacy
registers it, in apps.py). The account itself is anonymised by services.erasure_complete."""

from allauth.account.models import EmailAddress

from profiles.joining import Invitation, JoinRequest, OrientationAck
from profiles.models import Membership, Profile, RoleGrant, User

from .models import ErasureRequest

ACCOUNT_COVERS = ("profiles.Profile.user", "profiles.Membership.user", "profiles.RoleGrant.user",
                  "privacy.ErasureRequest.user", "account.EmailAddress.user")
JOINING_COVERS = ("profiles.Invitation.accepted_by", "profiles.JoinRequest.user", "profiles.OrientationAck.user")
EXEMPT = {
    "privacy.ErasureRequest.completed_by": "The coordinator who completed someone else's erasure: that person's record.",
    "profiles.RoleGrant.granted_by": "Who granted someone else a role: the other person's role history.",
    "profiles.Invitation.invited_by": "The coordinator who sent someone else an invitation: the invitee's record.",
    "profiles.JoinRequest.decided_by": "The coordinator who decided someone else's request to join: that person's record.",
}

SCRUBBED_TEXT = (
    "profiles.Profile.bio", "profiles.Profile.availability", "profiles.SupportGroup.description",
    "profiles.JoinRequest.note", "profiles.Invitation.email",
)
TEXT_KEPT = {
    "profiles.User.password": "A password hash; the member's is made unusable on erasure.",
    "profiles.User.email": "A person's own address; the member's is replaced by erased-<id>@invalid.example.",
    "profiles.Profile.display_name": "A person's own name; the member's becomes 'Former member'.",
    "profiles.Profile.pronouns": "A person's own pronouns; the member's are blanked.",
    "profiles.Profile.gender_self_described": "A person's own words about themselves; the member's are blanked.",
    "profiles.Profile.time_zone": "A time zone name.",
    "profiles.Profile.phone": "A person's own number; the member's is blanked.",
    "profiles.Profile.discord": "A person's own handle; the member's is blanked.",
    "profiles.Topic.name": "Program vocabulary written by staff.",
    "profiles.Topic.slug": "Program vocabulary written by staff.",
    "profiles.SupportGroup.name": "A group's name, chosen by staff.",
    "profiles.SupportGroup.slug": "A group's name in URLs.",
    "profiles.SupportGroup.join_code": "A random code.",
    "profiles.ProgramSettings.program_name": "Program settings written by staff.",
    "profiles.ProgramSettings.staff_email": "The program's staff address, set by staff.",
    "profiles.ProgramSettings.time_zone": "A time zone name.",
    "profiles.ProgramSettings.checkin_first_days": "A list of numbers.",
    "profiles.ProgramSettings.emergency_numbers": "Emergency numbers set by staff.",
    **{f"profiles.ProgramSettings.{name}": "An emergency number set by staff."
       for name in ("emergency_services", "crisis_line", "crisis_text", "dv_hotline", "dv_text",
                    "child_abuse_hotline")},
    "profiles.Invitation.token_hash": "A hash of a random token.",
    "profiles.OrientationItem.slug": "Orientation material written by staff.",
    "profiles.OrientationItem.title": "Orientation material written by staff.",
    "profiles.OrientationItem.body": "Orientation material written by staff.",
}


def export_account(user: User) -> dict:
    profile = Profile.objects.filter(user=user).prefetch_related("topics").first()
    profile_data = None
    if profile:
        profile_data = {
            field: getattr(profile, field)
            for field in [
                "display_name", "pronouns", "gender", "gender_self_described", "time_zone", "bio", "availability",
                "connect_in_person", "connect_phone", "connect_text", "connect_web", "phone", "discord", "updated_at",
            ]
        }
        profile_data["topics"] = [t.name for t in profile.topics.all()]
    return {
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "profile": profile_data,
        "memberships": [
            {"group": m.group.name, "joined_on": m.joined_on}
            for m in Membership.objects.filter(user=user).select_related("group")
        ],
        "roles": [
            {"role": g.role, "group": g.group.name if g.group_id else None, "started_at": g.started_at,
             "ended_at": g.ended_at}
            for g in RoleGrant.objects.filter(user=user).select_related("group").order_by("started_at")
        ],
        "erasure_requests": list(
            ErasureRequest.objects.filter(user=user).values("status", "requested_at", "completed_at")
        ),
    }


def export_joining(user: User) -> dict:
    """How this person joined: the invitations they accepted, their requests to join, their orientation."""
    return {
        "invitations_accepted": [
            {"group": i.group.name, "role": i.role, "answered_at": i.answered_at}
            for i in Invitation.objects.filter(accepted_by=user).select_related("group")
        ],
        "join_requests": [
            {"group": r.group.name, "note": r.note, "status": r.status, "created_at": r.created_at,
             "decided_at": r.decided_at}
            for r in JoinRequest.objects.filter(user=user).select_related("group")
        ],
        "orientation_acknowledged": [
            {"item": a.item.title, "at": a.at} for a in OrientationAck.objects.filter(user=user).select_related("item")
        ],
    }
