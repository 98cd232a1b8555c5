"""The notifications app's part of a member's export and erasure (registered in apps.py)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from profiles.models import Membership, Role, User
from profiles.privacy import personal_identifiers, rows_mentioning, scrub_text

from .models import Delivery, Notice
from .services import notice_create

COVERS = ("notifications.Notice.user", "notifications.Delivery.user")


def export(user: User) -> dict:
    return {
        "notifications": list(Notice.objects.filter(user=user).values("title", "url", "created_at", "read_at")),
        "emails": list(
            Delivery.objects.filter(Q(user=user) | Q(to__iexact=user.email), channel=Delivery.Channel.EMAIL)
            .values("subject", "created_at", "status", "sent_at")
        ),
    }


def erase(user: User) -> None:
    """Their notices go; emails to them keep only that an email was sent; others' that named them are scrubbed.

    Runs before the account is anonymised (profiles.privacy.erasure_complete), so
    `user.email` and their identifiers are still readable here.
    """
    identifiers = personal_identifiers(user)
    Notice.objects.filter(user=user).delete()
    theirs = Delivery.objects.filter(Q(user=user) | Q(to__iexact=user.email), channel=Delivery.Channel.EMAIL)
    # Unsent emails to a person who is gone no longer matter: expired, visibly, and blanked.
    theirs.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.EXPIRED, claim=None)
    theirs.update(to=f"erased-{user.pk}@invalid.example", subject="", body_text="", body_html="", dedupe_key=None)
    # Emails and notices to other people that named them (a match ended, a proposal).
    emails = list(rows_mentioning(Delivery.objects.all(), ["subject", "body_text", "body_html"], identifiers))
    for email in emails:
        email.subject = scrub_text(email.subject, identifiers)[:200]
        email.body_text = scrub_text(email.body_text, identifiers)
        email.body_html = scrub_text(email.body_html, identifiers)
    Delivery.objects.bulk_update(emails, ["subject", "body_text", "body_html"], batch_size=500)
    notices = list(rows_mentioning(Notice.objects.all(), ["title"], identifiers))
    for notice in notices:
        notice.title = scrub_text(notice.title, identifiers)[:200]
    Notice.objects.bulk_update(notices, ["title"], batch_size=500)


def erasure_requested(sender, request, **kwargs) -> None:
    """Tell whoever may complete an erasure request: the member's coordinators, else staff."""
    group_ids = Membership.objects.filter(user_id=request.user_id).values("group_id")
    completers = User.objects.filter(
        role_grants__ended_at=None, role_grants__role=Role.COORDINATOR, role_grants__group_id__in=group_ids
    ).distinct()
    if not completers.exists():
        completers = User.objects.filter(role_grants__ended_at=None, role_grants__role=Role.STAFF).distinct()
    url = reverse("profiles:erasure_requests")
    for person in completers:
        notice_create(person, _("A member asked for their data to be erased"), url,
                      dedupe_key=f"erasure:{request.pk}:{person.pk}")
