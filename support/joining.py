"""How joining (profiles) tells people: its signals, answered through the outbox.

Here, not in profiles, because the outbox is an app above profiles; and in
support because coordinators answer requests to join on support's members page,
which their notice opens.
"""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import email_queue, notice_create
from profiles.signals import invitation_sent, join_decided, join_requested


@receiver(invitation_sent, dispatch_uid="support.joining.invitation")
def email_invitation(sender, invitation, token, **kwargs):
    # secret: the link signs the person up into the group; not kept readable once delivered.
    email_queue(to=invitation.email, template="invitation", secret=True, context={
        "group": invitation.group.name, "role": invitation.get_role_display(),
        "link_path": reverse("people:invitation_open", args=[token]), "expires_at": invitation.expires_at,
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
    })


@receiver(join_requested, dispatch_uid="support.joining.requested")
def tell_coordinators(sender, join_request, coordinators, **kwargs):
    title = _("Someone asked to join %(group)s") % {"group": join_request.group.name}
    for coordinator in coordinators:
        notice_create(coordinator, title, reverse("support:members"), dedupe_key=f"join:{join_request.pk}:{coordinator.pk}")


@receiver(join_decided, dispatch_uid="support.joining.decided")
def tell_the_person(sender, join_request, approved, **kwargs):
    group = join_request.group.name
    if approved:
        title = _("You are now a member of %(group)s") % {"group": group}
    else:
        title = _("Your request to join %(group)s was not approved; a coordinator can tell you more") % {"group": group}
    notice_create(join_request.user, title, reverse("home"), dedupe_key=f"join-decided:{join_request.pk}")
    email_queue(to=join_request.user.email, template="join_decided", context={"group": group, "approved": approved},
                dedupe_key=f"join-decided:{join_request.pk}")
