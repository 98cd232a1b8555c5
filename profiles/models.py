"""People: the user (email login), their profile, support groups and roles.

Roles are rows, not user types: one person can be a mentee in one year, a
mentor the next and an MEA elsewhere. A role is held while its grant has no
`ended_at`; ending a grant keeps the history.
"""

import zoneinfo
from functools import cached_property

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from .history import tracked


class Transitions:
    """A model whose `status` moves only along its TRANSITIONS: {from: {to, ...}}."""

    TRANSITIONS: dict = {}

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def move(self, status: str, **changes) -> None:
        """Save the move to `status` with `changes`, those fields only (the caller checked the move under its lock)."""
        self.status = status
        for name, value in changes.items():
            setattr(self, name, value)
        self.save(update_fields=["status", *changes])


class ScopedQuerySet(models.QuerySet):
    """Deny by default: `visible_to` gives nothing to the signed-out, everything to program
    staff, and to anyone else what the subclass's `scoped_to(user)` allows."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_program_staff:
            return self
        return self.scoped_to(user)

    def scoped_to(self, user):
        return self.none()


class Role(models.TextChoices):
    MENTEE = "mentee", _("Mentee")
    MENTOR = "mentor", _("Mentor")
    MEA = "mea", _("Match Experience Ambassador")
    COORDINATOR = "coordinator", _("Coordinator")
    STAFF = "staff", _("Program staff")


# The order a person's home pages are offered in when they hold several roles:
# the most responsibility first.
ROLE_PRIORITY = [Role.STAFF, Role.COORDINATOR, Role.MEA, Role.MENTOR, Role.MENTEE]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def signed_in(self):
        """People as each request loads the signed-in one (mentorship.security's backends): with
        their current grants and whether they have an authenticator app, in the same query."""
        from allauth.mfa.models import Authenticator
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models import Exists, OuterRef
        from django.db.models.functions import JSONObject

        grants = RoleGrant.objects.filter(user=OuterRef("pk"), ended_at=None).order_by("role", "pk")
        return self.annotate(
            active_grants=ArraySubquery(grants.values(grant=JSONObject(role="role", group_id="group_id"))),
            has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )

    def coordinators_of(self, group_id: int) -> models.QuerySet:
        """The group's coordinators now (active accounts; one open grant per group each)."""
        return self.filter(is_active=True, role_grants__role=Role.COORDINATOR, role_grants__group_id=group_id,
                           role_grants__ended_at=None)


class User(AbstractUser):
    """A person. Email is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        # Profile is select_related on hot paths; fall back to the email's name.
        profile = getattr(self, "profile", None) if self.pk else None
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@")[0]

    @cached_property
    def active_grants(self) -> list[dict]:
        """This person's current role grants ({"role", "group_id"}), once per request: the
        signed-in person's come with them (UserManager.signed_in)."""
        if not self.pk:
            return []
        return list(self.role_grants.filter(ended_at=None).order_by("role", "pk").values("role", "group_id"))

    @cached_property
    def has_totp(self) -> bool:
        """Whether this person has an authenticator app (MFA enforcement); once per request,
        read with the signed-in person (UserManager.signed_in)."""
        from allauth.mfa.models import Authenticator

        return bool(self.pk) and Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists()

    @property
    def roles(self) -> set[str]:
        return {grant["role"] for grant in self.active_grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_program_staff(self) -> bool:
        """Program staff: an active staff role. Django's superuser (the site's technical owner)
        reads as staff too, under the same rules on confidential text (every visible_to): never
        a tier-1 report that was not escalated, an MEA's handling notes, or check-in text."""
        return Role.STAFF in self.roles or (self.is_superuser and self.is_active)

    @property
    def member_group_ids(self) -> models.QuerySet:
        """The ids of the groups this person belongs to: a subquery for `group_id__in`, or a list with list()."""
        return Membership.objects.filter(user=self).values_list("group_id", flat=True)

    @property
    def coordinated_group_ids(self) -> set[int]:
        return {g["group_id"] for g in self.active_grants if g["role"] == Role.COORDINATOR and g["group_id"]}


class ProfileQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ProfileQuerySet":
        """Profiles a person may read: their own, members of their groups, all for staff."""
        return self.filter(Q(user=user) | Q(user__memberships__group_id__in=user.member_group_ids)).distinct()


@tracked("ProfileHistory", exclude=["updated_at"])
class Profile(models.Model):
    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary")
        SELF_DESCRIBED = "self_described", _("Self-described")
        UNSAID = "", _("Prefer not to say")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    gender_self_described = models.CharField(_("gender, in your words"), max_length=60, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    bio = models.TextField(_("a few words about you"), max_length=1000, blank=True)
    topics = models.ManyToManyField("Topic", blank=True, related_name="profiles", verbose_name=_("topics"))

    connect_in_person = models.BooleanField(_("in person"), default=False)
    connect_phone = models.BooleanField(_("phone call"), default=False)
    connect_text = models.BooleanField(_("text messages"), default=False)
    connect_web = models.BooleanField(_("web chat or video"), default=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    discord = models.CharField(_("Discord name"), max_length=40, blank=True)
    availability = models.CharField(
        _("when you are usually available"), max_length=200, blank=True, help_text=_("For example: weekday evenings")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return self.display_name or self.user.email

    @property
    def connect_methods(self) -> list[str]:
        methods = [
            (self.connect_in_person, _("in person")),
            (self.connect_phone, _("phone")),
            (self.connect_text, _("text")),
            (self.connect_web, _("web chat or video")),
        ]
        return [str(label) for wanted, label in methods if wanted]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Topic(models.Model):
    """An experience or theme members can share (used by matching)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def join_code_new() -> str:
    """A short code a coordinator can read out at a meeting (no 0/O or 1/I to confuse)."""
    return get_random_string(8, allowed_chars="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


class SupportGroupQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "SupportGroupQuerySet":
        return self.filter(Q(memberships__user=user) | Q(pk__in=user.coordinated_group_ids)).distinct()


@tracked("SupportGroupHistory")
class SupportGroup(models.Model):
    """A support group (cohort) that members belong to."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    open_to_requests = models.BooleanField(
        _("open to requests to join"), default=False,
        help_text=_("Signed-up members see this group and can ask to join; its coordinators approve or decline."),
    )
    join_code = models.CharField(
        _("join code"), max_length=12, unique=True, default=join_code_new,
        help_text=_("Members who have it can ask to join even when the group is not listed."),
    )

    objects = SupportGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked("MembershipHistory")
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        ordering = ["group__name", "joined_on"]
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="membership_unique_user_group")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class RoleGrantQuerySet(ScopedQuerySet):
    """Role changes are security changes: every change, bulk ones too, is in the history (audit/)."""

    def scoped_to(self, user) -> "RoleGrantQuerySet":
        return self.filter(Q(user=user) | Q(group_id__in=user.coordinated_group_ids))


@tracked("RoleGrantHistory")
class RoleGrant(models.Model):
    """A role a person holds, optionally within one group, from `started_at` until `ended_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="role_grants"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            # One open grant per person, role and group (and one group-less one).
            models.UniqueConstraint(
                fields=["user", "role", "group"],
                condition=Q(ended_at__isnull=True, group__isnull=False),
                name="rolegrant_one_open_per_group",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(ended_at__isnull=True, group__isnull=True),
                name="rolegrant_one_open_groupless",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="rolegrant_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["role", "group"], condition=Q(ended_at__isnull=True), name="rolegrant_open")]

    def __str__(self) -> str:
        where = f" ({self.group})" if self.group_id else ""
        return f"{self.user} — {self.get_role_display()}{where}"


# Importing them here registers them with the app.
from .joining import Invitation, JoinRequest, OrientationAck, OrientationItem  # noqa: E402
from .program import ProgramSettings  # noqa: E402

__all__ = [
    "Invitation", "JoinRequest", "Membership",
    "OrientationAck", "OrientationItem", "Profile", "ProgramSettings",
    "Role", "RoleGrant", "SupportGroup", "Topic", "User",
]
