"""Invitations (coordinators and staff), following an invitation's link, asking to join a
group, and the orientation. Every object is read through its `visible_to`; a pk outside
it is a 404."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import joining_services as services
from .access import role_required
from .joining import Invitation, JoinRequest, OrientationAck, OrientationItem
from .joining_forms import InvitationForm, JoinCodeForm
from .models import Membership, Role, User
from .program import program_settings

SESSION_KEY = "invitation_id"
LIST_LIMIT = 100


@never_cache
@role_required(Role.COORDINATOR, Role.STAFF)
def invitations(request):
    """Invite one address or a list (pasted or CSV): a preview with each row's problem, then send."""
    form = InvitationForm(request.POST or None, request.FILES or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = form.preview()
        if "send" in request.POST:
            sent = 0
            for row in preview:
                if row["error"]:
                    continue
                try:
                    services.invitation_create(by=request.user, group=form.cleaned_data["group"],
                                               email=row["email"], role=row["role"])
                    sent += 1
                except services.JoiningError as exc:
                    row["error"] = str(exc)
            skipped = [row for row in preview if row["error"]]
            messages.success(request, _("%(n)d invitation(s) sent.") % {"n": sent})
            if not skipped:
                return redirect("people:invitations")
        preview_text = "\n".join(f"{row['email']},{row['role']}" for row in preview if not row["error"])
    else:
        preview_text = ""
    listed = (Invitation.objects.visible_to(request.user).select_related("group", "invited_by__profile")
              .order_by("-created_at")[:LIST_LIMIT])
    return render(request, "profiles/invitations.html", {
        "form": form, "preview": preview, "preview_text": preview_text, "invitations": listed,
        "sendable": sum(1 for row in preview or [] if not row["error"]),
    })


@role_required(Role.COORDINATOR, Role.STAFF)
@require_POST
def invitation_change(request, pk, action):
    get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    change = {"resend": services.invitation_resend, "revoke": services.invitation_revoke}.get(action)
    if change is None:
        raise Http404
    try:
        invitation = change(invitation_id=pk, by=request.user)
    except services.JoiningError as exc:
        messages.error(request, str(exc))
    else:
        done = _("sent again (the earlier link no longer works)") if action == "resend" else _("revoked")
        messages.success(request, _("The invitation to %(email)s was %(done)s.") % {"email": invitation.email,
                                                                                     "done": done})
    return redirect("people:invitations")


@never_cache
def invitation_open(request, token):
    """The emailed link: remember the invitation in the session, then sign up (or in) and accept."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "profiles/invitation_invalid.html")
    request.session[SESSION_KEY] = invitation.pk
    if request.user.is_authenticated:
        return redirect("people:invitation_accept")
    # The link reached this address: the sign-up for it needs no second verification email.
    get_adapter(request).stash_verified_email(request, invitation.email)
    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Sign in to accept your invitation to %(group)s.") % {"group": invitation.group.name})
        return redirect(f"{reverse('account_login')}?next={reverse('people:invitation_accept')}")
    messages.info(request, _("Choose a password to join %(group)s.") % {"group": invitation.group.name})
    return redirect("account_signup")


@never_cache
@login_required
def invitation_accept(request):
    invitation = Invitation.objects.filter(pk=request.session.get(SESSION_KEY)).select_related("group").first()
    if invitation is None or not invitation.is_usable:
        request.session.pop(SESSION_KEY, None)
        return render(request, "profiles/invitation_invalid.html")
    if request.method == "POST":
        try:
            services.invitation_accept(invitation_id=invitation.pk, user=request.user)
        except services.JoiningError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Welcome to %(group)s.") % {"group": invitation.group.name})
        return redirect("home")
    return render(request, "profiles/invitation_accept.html", {
        "invitation": invitation, "same_address": invitation.email.lower() == request.user.email.lower()})


def accept_from_session(request, user: User) -> bool:
    """After a sign-up from an invitation's link: accept it at once (the adapter calls this)."""
    invitation_id = request.session.get(SESSION_KEY)
    if not invitation_id:
        return False
    try:
        services.invitation_accept(invitation_id=invitation_id, user=user, verify=False)
    except services.JoiningError:
        return False
    request.session.pop(SESSION_KEY, None)
    return True


# --- Asking to join -----------------------------------------------------------------------


@never_cache
@login_required
def join(request):
    code_form = JoinCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST":
        group = None
        if "code" in request.POST:
            if code_form.is_valid():
                group = code_form.group
        else:
            group = services.groups_open_to(request.user).filter(pk=request.POST.get("group") or 0).first()
            if group is None:
                messages.error(request, _("Choose one of the groups listed."))
        if group is not None:
            try:
                services.join_request_create(user=request.user, group=group, note=request.POST.get("note", ""))
            except services.JoiningError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Your request to join %(group)s was sent to its coordinators.")
                                 % {"group": group.name})
                return redirect("people:join")
    return render(request, "profiles/join.html", {
        "groups": services.groups_open_to(request.user),
        "requests": JoinRequest.objects.filter(user=request.user).select_related("group").order_by("-created_at"),
        "memberships": Membership.objects.filter(user=request.user).select_related("group"),
        "code_form": code_form,
    })


# --- Orientation ----------------------------------------------------------------------------


@never_cache
@login_required
def orientation(request):
    role = request.GET.get("for") if request.GET.get("for") in ("mentor", "mea") else services.orientation_role(
        request.user)
    items = list(OrientationItem.objects.for_role(role))
    done = set(OrientationAck.objects.filter(user=request.user, item__in=items).values_list("item_id", flat=True))
    numbers = "\n".join(f"{n['label']}: {n['number']} ({n['kind']})" for n in program_settings().emergency_numbers)
    for item in items:
        item.done = item.pk in done
        item.paragraphs = [p.strip() for p in item.body.replace("{emergency_numbers}", numbers).split("\n\n")
                           if p.strip()]
    return render(request, "profiles/orientation.html", {
        "items": items, "role": role, "complete": all(item.done for item in items)})


@login_required
@require_POST
def orientation_ack(request, pk):
    try:
        services.orientation_acknowledge(user=request.user, item_id=pk)
    except services.JoiningError as exc:
        raise Http404 from exc
    role = request.POST.get("for")
    url = reverse("people:orientation") + (f"?for={role}" if role in ("mentor", "mea") else "")
    return redirect(f"{url}#item-{pk}")
