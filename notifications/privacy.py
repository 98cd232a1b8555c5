"""The notifications app's part of a member's export and erasure (registered in apps.py)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from profiles.models import Membership, Role, User

from .models import Delivery, Notice
from .services import notice_create

COVERS = ("notifications.Notice.user", "notifications.Delivery.user")

# Free text erasure scrubs of the member's identifiers in every row (privacy/registry.py,
# after every app's eraser, so emails and notices the erasers just queued are scrubbed too).
SCRUBBED_TEXT = ("notifications.Delivery.subject", "notifications.Delivery.body_text", "notifications.Delivery.body_html",
                 "notifications.Delivery.ics", "notifications.Notice.title")
TEXT_KEPT = {
    "notifications.Delivery.to": "An address or 'staff-webhook'; the member's are replaced by this app's eraser.",
    "notifications.Delivery.dedupe_key": "A key made of ids by the code.",
    "notifications.Delivery.topic": "A key made of ids by the code.",
    "notifications.Delivery.failover_url": "A portal URL path: ids, never names.",
    "notifications.Delivery.last_error": "An exception's class name.",
    "notifications.Notice.url": "A portal URL: ids, never names.",
    "notifications.Notice.dedupe_key": "A key made of ids by the code.",
    "notifications.TransportState.last_error": "An exception's class name.",
}


def export(user: User) -> dict:
    return {
        "notifications": list(Notice.objects.filter(user=user).values("title", "url", "created_at", "read_at")),
        "emails": list(
            Delivery.objects.filter(Q(user=user) | Q(to__iexact=user.email), channel=Delivery.Channel.EMAIL)
            .values("subject", "created_at", "status", "sent_at")
        ),
    }


def erase(user: User) -> None:
    """Their notices go; emails to them keep only that an email was sent (others' emails and
    notices that name them are scrubbed by the free-text registry, SCRUBBED_TEXT).

    Runs before the account is anonymised (privacy.services.erasure_complete), so
    `user.email` is still readable here.
    """
    Notice.objects.filter(user=user).delete()
    theirs = Delivery.objects.filter(Q(user=user) | Q(to__iexact=user.email), channel=Delivery.Channel.EMAIL)
    # Unsent emails to a person who is gone no longer matter: expired, visibly, and blanked.
    theirs.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.EXPIRED, claim=None)
    theirs.update(to=f"erased-{user.pk}@invalid.example", subject="", body_text="", body_html="", dedupe_key=None)


def erasure_requested(sender, request, **kwargs) -> None:
    """Tell whoever may complete an erasure request: the member's coordinators, else staff."""
    group_ids = Membership.objects.filter(user_id=request.user_id).values("group_id")
    completers = User.objects.filter(
        role_grants__ended_at=None, role_grants__role=Role.COORDINATOR, role_grants__group_id__in=group_ids
    ).distinct()
    if not completers.exists():
        completers = User.objects.filter(role_grants__ended_at=None, role_grants__role=Role.STAFF).distinct()
    url = reverse("privacy:erasure_requests")
    for person in completers:
        notice_create(person, _("A member asked for their data to be erased"), url,
                      dedupe_key=f"erasure:{request.pk}:{person.pk}")
