"""Request-level protections that cut across every app.

- `MFARequiredMiddleware`: people who can read other people's disclosures
  (staff, coordinators, MEAs) must have an authenticator before any page.
- `NoStoreMiddleware`: a page rendered for a signed-in person is never stored
  by a browser or proxy cache.
- `ModelBackend` / `AuthenticationBackend`: Django's and allauth's, loading the signed-in
  person with their roles and authenticator in one query.
- `client_ip` / `axes_username`: how django-axes identifies who is trying to
  sign in, correct behind a known number of reverse proxies.
(CSP hashes for inline styles are in mentorship/csp.py: settings import it.)
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

# The views anyone signed in may reach without an authenticator, by their exact
# (namespaced) view name: allauth's sign-in and sign-out, its re-authentication
# before setup, setting up TOTP and its recovery codes, emergency guidance and
# monitoring. Never a prefix: the admin's own pages are named after the app's label
# ("admin:account_emailaddress_changelist", "admin:mfa_authenticator_changelist").
MFA_EXEMPT_VIEW_NAMES = frozenset({
    "emergency", "healthz",
    "account_login", "account_logout", "account_reauthenticate",
    "mfa_authenticate", "mfa_reauthenticate", "mfa_activate_totp",
    "mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_download_recovery_codes",
})


def needs_mfa(user) -> bool:
    """True when `user` holds a role that must sign in with a second factor and has none yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_staff or user.is_superuser or user.has_role(*settings.MFA_REQUIRED_ROLES)):
        return False
    return not user.has_totp


class MFARequiredMiddleware(MiddlewareMixin):
    """Send staff, coordinators and MEAs without an authenticator to TOTP setup.

    Switched by settings.MFA_ENFORCE (on in production, off under DEBUG so the
    demo logins work); the roles are settings.MFA_REQUIRED_ROLES. Placed after
    the authentication middleware. The check runs in process_view so the URL
    name is known and allauth's own pages (login, logout, MFA setup) stay open.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_ENFORCE:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in MFA_EXEMPT_VIEW_NAMES:
            return None
        if not needs_mfa(request.user):
            return None
        messages.warning(
            request,
            _("Your role gives you access to other people's private reports. Set up an authenticator app to continue."),
        )
        return redirect("mfa_activate_totp")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in person.

    A response that already says how to cache it (the public emergency page,
    static files) is left alone, and the user is looked at only after that
    check so pages that must not touch the session or database never do.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


def client_ip(request) -> str:
    """The client's address for throttling, trusting exactly TRUSTED_PROXY_COUNT proxies.

    With N trusted proxies in front, the client is the N-th address from the
    right of X-Forwarded-For (each proxy appends the address it saw). Anything
    further left was written by the client and cannot be trusted. With no
    proxy (N=0) the header is ignored entirely, so it cannot be spoofed.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies: misconfigured or bypassing the proxy; use the socket peer.
        return remote
    return forwarded[-count][:45]


def axes_username(request, credentials) -> str:
    """The account being tried: allauth authenticates with `email`, its form posts `login`."""
    value = (credentials or {}).get("email") or (credentials or {}).get("username")
    if not value:
        data = getattr(request, "POST", {}) or {}
        value = data.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value).strip().lower()[:255]


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request.

    Every sign-in over the web (allauth's login form, the admin through it)
    passes the request and is counted. Calls without one come from our own
    code — the test client's `login()`, a shell — where there is no address
    to throttle; axes would refuse them outright.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@cache
def _people():
    """Everyone, as the signed-in person is read: with their current role grants, whether they have
    an authenticator (UserManager.signed_in) and their unread notices (the navigation's badge,
    notifications.context_processors). The same query for every request, so built once per process
    (half the cost of reading the person); each request filters it to its person (a new QuerySet)."""
    from notifications.models import Notice
    from profiles.models import User

    # Their own notices: Notice.visible_to's rule (user = the person), for the person of each row.
    unread = Notice.objects.unread().filter(user=OuterRef("pk")).order_by().values("user").annotate(n=Count("pk"))
    return User.objects.signed_in().annotate(unread_notices=Coalesce(Subquery(unread.values("n")), 0))


class SignedInUser:
    """The signed-in person in one query where the pages made four (_people)."""

    def get_user(self, user_id):
        user = _people().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(SignedInUser, DjangoModelBackend):
    """Django's (the test client, the shell)."""


class AuthenticationBackend(SignedInUser, AllauthBackend):
    """allauth's (the sign-in form)."""
