"""The outbox: one delivery record per message, whatever the channel.

A `Delivery` is an email or a staff-webhook post waiting to go out, or gone.
It is written in the same transaction as the change it announces, delivered
after commit by a Celery task, and retried by the beat drain with capped
exponential backoff until it is accepted (`sent`) or no longer matters
(`expired`). Nothing is given up silently: an unsent row is either still
`pending` (and counted by /healthz once it is late) or visibly `expired`.

A `Notice` is a portal notice (the navigation's "Notifications"): it is
delivered the moment its row exists, so it needs no retry.
"""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEBHOOK = "staff-webhook"  # the `to` of a webhook delivery: the URL itself is a setting, read at send time


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Staff chat webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        SENT = "sent", _("Accepted by the mail server or webhook")
        EXPIRED = "expired", _("No longer needed before it could be delivered")

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    to = models.CharField(max_length=254)  # an email address, or "staff-webhook"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the recipient when they have an account (export, erasure)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The body holds a link that signs someone in, resets a password or answers a
    # proposal: it is blanked when the message is accepted (issue 16).
    secret = models.BooleanField(default=False)
    # A calendar invite (an iCalendar text: a meeting's REQUEST or CANCEL), sent as invite.ics (issue 20).
    ics = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=300, unique=True, null=True, blank=True)
    # What the message is about ("concern:12"), so its owner can expire what no
    # longer matters (a report acknowledged) and the admin can list a report's deliveries.
    topic = models.CharField(max_length=60, blank=True, db_index=True)
    # Report notifications: when this channel keeps failing, staff are told on the
    # others (a portal notice to every staff member, the staff webhook), linking here.
    failover = models.BooleanField(default=False)
    failover_url = models.CharField(max_length=300, blank=True)
    failed_over_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)  # a reminder's moment; None: until expired by its owner
    claim = models.UUIDField(null=True, blank=True)  # the worker holding it; valid until next_attempt_at
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # an exception's class name, never an address or text

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"), name="delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


class TransportState(models.Model):
    """The last success and the last error of a channel's transport (the mail server, the webhook).

    One row per channel, overwritten; read by /healthz. The error is an
    exception's class name, never an address or a message body.
    """

    channel = models.CharField(max_length=10, choices=Delivery.Channel.choices, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.channel} transport"

    @property
    def failing(self) -> bool:
        return bool(self.last_error_at and (not self.last_success_at or self.last_error_at > self.last_success_at))


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NoticeQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NoticeQuerySet":
        return self.filter(read_at=None)


class Notice(models.Model):
    """An in-portal notice: says that something needs attention and links to it, never what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=300, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_read")]

    def __str__(self) -> str:
        return self.title


def create_once(model, dedupe_key: str | None, **fields):
    """Create a Delivery or Notice row; None when `dedupe_key` was used already (that message exists)."""
    try:
        # A savepoint so that a duplicate key does not break the caller's transaction.
        with transaction.atomic():
            return model.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        if dedupe_key and model.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
