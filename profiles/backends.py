"""Sign-in backends that load the signed-in person in one query per request.

Every signed-in page needs the person, their open role grants (navigation and
every permission check), whether they have an authenticator (MFA enforcement)
and their unread notice count (the navigation badge). Django's backends read
only the person, and the rest would be three more queries on every page. Here
`get_user` reads them together: the user row with its profile, left-joined to
the open grants (one row per grant), with the authenticator check and the
unread count as subqueries. The results fill the user's per-request caches
(`active_grants`, `has_totp`, `unread_notification_count`). The query is
compiled once per process (only the person's id changes): compiling it cost
several times more than running it.

Signing in is unchanged: these subclass Django's and allauth's backends and
override only `get_user`.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connections
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Notification, RoleGrant, User

GRANT_FIELDS = ("id", "user_id", "role", "group_id", "started_at", "ended_at", "granted_by_id")
# Never a primary key: marks where the person's id goes in the compiled query.
_SENTINEL_ID = -7_301_999


def _fields(model) -> tuple[tuple[str, ...], tuple[str, ...]]:
    concrete = model._meta.concrete_fields
    return tuple(f.name for f in concrete), tuple(f.attname for f in concrete)


def _queryset(user_id):
    """The one query, as rows: the person's columns, their profile's, one open grant's, the two counts."""
    from allauth.mfa.models import Authenticator

    from .models import Profile

    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at=None)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    user_names, _ = _fields(User)
    profile_names, _ = _fields(Profile)
    return (
        User.objects.filter(pk=user_id)
        .annotate(open_grant=FilteredRelation("role_grants", condition=Q(role_grants__ended_at=None)))
        .annotate(
            **{f"_grant_{name}": F(f"open_grant__{name}") for name in GRANT_FIELDS},
            _has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
            _unread=Coalesce(Subquery(unread), 0),
        )
        .order_by("open_grant__role", "open_grant__id")
        .values_list(*user_names, *(f"profile__{n}" for n in profile_names),
                     *(f"_grant_{name}" for name in GRANT_FIELDS), "_has_totp", "_unread")
    )


_compiled: dict[str, tuple] = {}


def _compiled_query(using: str) -> tuple:
    """The SQL of `_queryset`, compiled once per process and database.

    Building and compiling this queryset costs several times more than running
    it, on every signed-in request; only the person's id changes between
    requests, so the SQL, its parameters and the row converters are kept.
    """
    found = _compiled.get(using)
    if found is None:
        compiler = _queryset(_SENTINEL_ID).query.get_compiler(using)
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(_SENTINEL_ID) != 1:
            raise RuntimeError("request_user: the compiled query must take the person's id exactly once")
        converters = compiler.get_converters([col[0] for col in compiler.select[: compiler.col_count]])
        found = _compiled[using] = (sql, params, params.index(_SENTINEL_ID), compiler, converters)
    return found


def request_user(user_id, using: str = "default") -> User | None:
    """The person with `user_id`, their open grants, authenticator check and unread count: one query."""
    from .models import Profile

    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    sql, params, at, compiler, converters = _compiled_query(using)
    params = [*params[:at], user_id, *params[at + 1:]]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    _, user_attnames = _fields(User)
    _, profile_attnames = _fields(Profile)
    n_user, n_profile = len(user_attnames), len(profile_attnames)
    first = rows[0]
    user = User.from_db(using, user_attnames, first[:n_user])
    profile_values = first[n_user:n_user + n_profile]
    profile = Profile.from_db(using, profile_attnames, profile_values) if profile_values[0] is not None else None
    User._meta.get_field("profile").set_cached_value(user, profile)
    if profile is not None:
        Profile._meta.get_field("user").set_cached_value(profile, user)
    grants = []
    start = n_user + n_profile
    for row in rows:
        values = row[start:start + len(GRANT_FIELDS)]
        if values[0] is not None:
            grant = RoleGrant.from_db(using, GRANT_FIELDS, values)
            grant.user = user
            grants.append(grant)
    user.__dict__["active_grants"] = grants
    user.__dict__["has_totp"] = bool(first[-2])
    user.__dict__["unread_notification_count"] = first[-1]
    return user


class RequestUserMixin:
    def get_user(self, user_id):
        user = request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(RequestUserMixin, DjangoModelBackend):
    """Django's email-and-password backend (the test client and the shell sign in through it)."""


class AuthenticationBackend(RequestUserMixin, AllauthAuthenticationBackend):
    """allauth's backend (the sign-in form)."""
