"""How people come into a group: invitations by email, requests to join, and the
orientation mentors and MEAs complete before their first match.

An invitation's link carries a random token; only its SHA-256 is stored, so no
readable secret stays in the row (the email that carried it is the outbox's).
"""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .history import tracked


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _CoordinatedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see all; a coordinator sees their groups'; others nothing (their own: see `of`)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_program_staff:
            return self
        return self.filter(group_id__in=user.coordinated_group_ids)


class InvitationQuerySet(_CoordinatedQuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(status=Invitation.Status.PENDING, expires_at__gt=timezone.now())


# The token's hash is a secret's stand-in: not history.
@tracked("InvitationHistory", exclude=["token_hash"])
class Invitation(models.Model):
    """An invitation to join `group` with `role`, sent to `email`, answered once."""

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor (applies once signed up)")
        MEA = "mea", _("Match Experience Ambassador")
        COORDINATOR = "coordinator", _("Coordinator")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("email address"))
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="accepted_invitations")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "group", "role"], condition=Q(status="pending"),
                                    name="invitation_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.group} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


@tracked("JoinRequestHistory")
class JoinRequest(models.Model):
    """A signed-up member asks to join a group; its coordinators approve or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="join_requests")
    group = models.ForeignKey("profiles.SupportGroup", on_delete=models.CASCADE, related_name="join_requests")
    note = models.CharField(_("a few words for the coordinator (optional)"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = _CoordinatedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], condition=Q(status="pending"),
                                    name="joinrequest_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.group}"


class OrientationItemQuerySet(models.QuerySet):
    def for_role(self, role: str) -> "OrientationItemQuerySet":
        return self.filter(Q(audience=OrientationItem.Audience.BOTH) | Q(audience=role), active=True)


@tracked("OrientationItemHistory")
class OrientationItem(models.Model):
    """One part of the orientation (text staff edit in the admin), acknowledged on its own."""

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentors and MEAs")
        MENTOR = "mentor", _("Mentors")
        MEA = "mea", _("MEAs")

    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs. "
                                                   "{emergency_numbers} is replaced by the program's numbers."))
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text=_("Only active items must be acknowledged."))

    objects = OrientationItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


@tracked("OrientationAckHistory")
class OrientationAck(models.Model):
    """A person read and acknowledged one orientation item."""

    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="orientation_acks")
    item = models.ForeignKey(OrientationItem, on_delete=models.CASCADE, related_name="acks")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="orientationack_once")]

    def __str__(self) -> str:
        return f"{self.user} read {self.item}"
