"""Sign-in backends that load the signed-in person in one query per request.

Every signed-in page needs the person, their open role grants (navigation and
every permission check), whether they have an authenticator (MFA enforcement)
and their unread notice count (the navigation badge). Django's backends read
only the person, and the rest would be three more queries on every page. Here
`get_user` reads them together: the user row with its profile, left-joined to
the open grants (one row per grant), with the authenticator check and the
unread count as subqueries. The results fill the user's per-request caches
(`active_grants`, `has_totp`, `unread_notification_count`).

Signing in is unchanged: these subclass Django's and allauth's backends and
override only `get_user`.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Notification, RoleGrant, User

GRANT_FIELDS = ("id", "user_id", "role", "group_id", "started_at", "ended_at", "granted_by_id")


def request_user(user_id) -> User | None:
    """The person with `user_id`, their open grants, authenticator check and unread count: one query."""
    from allauth.mfa.models import Authenticator

    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at=None)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        User.objects.filter(pk=user_id)
        .select_related("profile")
        .annotate(open_grant=FilteredRelation("role_grants", condition=Q(role_grants__ended_at=None)))
        .annotate(
            **{f"_grant_{name}": F(f"open_grant__{name}") for name in GRANT_FIELDS},
            _has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
            _unread=Coalesce(Subquery(unread), 0),
        )
        .order_by("open_grant__role", "open_grant__id")
    )
    if not rows:
        return None
    user = rows[0]
    grants = []
    for row in rows:
        values = [getattr(row, f"_grant_{name}") for name in GRANT_FIELDS]
        if values[0] is not None:
            grant = RoleGrant.from_db(user._state.db, GRANT_FIELDS, values)
            grant.user = user
            grants.append(grant)
    for name in GRANT_FIELDS:
        delattr(user, f"_grant_{name}")
    user.__dict__["active_grants"] = grants
    user.__dict__["has_totp"] = user.__dict__.pop("_has_totp")
    user.__dict__["unread_notification_count"] = user.__dict__.pop("_unread")
    return user


class RequestUserMixin:
    def get_user(self, user_id):
        user = request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(RequestUserMixin, DjangoModelBackend):
    """Django's email-and-password backend (the test client and the shell sign in through it)."""


class AuthenticationBackend(RequestUserMixin, AllauthAuthenticationBackend):
    """allauth's backend (the sign-in form)."""
