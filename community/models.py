"""The community around matches: the informal 1:1 chat board and the mentoring toolkit.

Chat board (the seed's "alternative to mentoring"): a member posts an offer to
talk or a request for someone to talk with, seen by members of the group it is
posted to. Another member replies to the author privately, which opens a thread
between the two of them only. Posts expire (CHAT_POST_TTL_DAYS) or are closed
by their author. A block hides each person's posts and threads from the other,
both ways. A report goes to the group's coordinators.

Toolkit: healing resources curated by coordinators (for their groups) and staff
(program-wide), which a mentor or mentee can save to their match.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matches.models import Match
from profiles.models import ScopedQuerySet, SupportGroup, Topic, Transitions


def blocked_user_ids(user) -> models.QuerySet:
    """Ids of people `user` blocked or who blocked `user`: neither sees the other (a subquery, not a list)."""
    return Block.objects.filter(Q(blocker=user) | Q(blocked=user)).annotate(
        other=models.Case(
            models.When(blocker=user, then=F("blocked_id")), default=F("blocker_id"), output_field=models.BigIntegerField()
        )
    ).values("other")


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


class BlockQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BlockQuerySet":
        # A block is the blocker's own business: the blocked person is not told.
        return self.filter(blocker=user) if _signed_in(user) else self.none()


class Block(models.Model):
    """`blocker` no longer wants contact with `blocked`; it hides both from each other."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"block #{self.pk}"


class ChatPostQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChatPostQuerySet":
        """Members of the post's group (and its coordinators, staff), minus anyone a block separates."""
        if not _signed_in(user):
            return self.none()
        if user.is_program_staff:
            scoped = self
        else:
            scoped = self.filter(
                Q(author=user) | Q(group_id__in=user.member_group_ids) | Q(group_id__in=user.coordinated_group_ids)
            )
        return scoped.exclude(author_id__in=blocked_user_ids(user))

    def live(self) -> "ChatPostQuerySet":
        """Open and not yet expired: what the board lists."""
        return self.filter(status=ChatPost.Status.OPEN, expires_at__gt=timezone.now())


class ChatPost(Transitions, models.Model):
    class Kind(models.TextChoices):
        OFFER = "offer", _("Offering to talk")
        REQUEST = "request", _("Looking for someone to talk with")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: set()}

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_posts")
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="chat_posts", verbose_name=_("group"))
    kind = models.CharField(_("I am"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ChatPostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="chatpost_expires_after_created"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="chatpost_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["group", "status", "expires_at"], name="chatpost_board")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text messages")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web chat or video")
    IN_PERSON = "in_person", _("In person, after a meeting")


class ChatThreadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChatThreadQuerySet":
        """Private: the post's author and the person who replied, nobody else (not staff), and not across a block."""
        if not _signed_in(user):
            return self.none()
        blocked = blocked_user_ids(user)
        return self.filter(Q(author=user) | Q(replier=user)).exclude(author_id__in=blocked).exclude(replier_id__in=blocked)


class ChatThread(models.Model):
    """A private conversation opened by replying to the author of a post.

    Either side proposes how to talk (phone, text, ...); the other agrees. Once
    agreed, each sees the other's details for that method from their profile.
    """

    post = models.ForeignKey(ChatPost, on_delete=models.CASCADE, related_name="threads")
    # The post's author, kept here so the database can refuse a thread with oneself.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    replier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_replies")
    contact_method = models.CharField(_("how we talk"), max_length=12, choices=ContactMethod.choices, blank=True)
    contact_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    objects = ChatThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "replier"], name="chatthread_one_per_replier"),
            models.CheckConstraint(condition=~Q(author=F("replier")), name="chatthread_not_with_self"),
            models.CheckConstraint(
                condition=Q(contact_agreed_at__isnull=True) | ~Q(contact_method=""), name="chatthread_agreed_has_method"
            ),
        ]

    def __str__(self) -> str:
        return f"chat thread #{self.pk}"

    def other(self, user):
        return self.replier if user.pk == self.author_id else self.author

    def involves(self, user) -> bool:
        return user.pk in (self.author_id, self.replier_id)


class ChatMessageQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChatMessageQuerySet":
        return self.filter(thread__in=ChatThread.objects.visible_to(user))


class ChatMessage(models.Model):
    thread = models.ForeignKey(ChatThread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChatMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"chat message #{self.pk}"


class ChatReportQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ChatReportQuerySet":
        """The reporter, the coordinators of the group it happened in, and staff."""
        return self.filter(Q(reporter=user) | Q(group_id__in=user.coordinated_group_ids))


class ChatReport(Transitions, models.Model):
    """A member flags a post or a private message for the group's coordinators."""

    class Reason(models.TextChoices):
        UNSAFE = "unsafe", _("It worries me for someone's safety")
        HARASSMENT = "harassment", _("Harassment or unwanted contact")
        DISRESPECT = "disrespect", _("Disrespectful or discriminatory")
        SPAM = "spam", _("Spam or selling something")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a coordinator")
        RESOLVED = "resolved", _("Handled")

    TRANSITIONS = {Status.OPEN: {Status.RESOLVED}, Status.RESOLVED: set()}

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_reports")
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="chat_reports")
    post = models.ForeignKey(ChatPost, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    message = models.ForeignKey(ChatMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("why"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("anything the coordinator should know"), max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ChatReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Exactly one of post / message.
            models.CheckConstraint(
                condition=Q(post__isnull=False, message__isnull=True) | Q(post__isnull=True, message__isnull=False),
                name="chatreport_post_xor_message",
            ),
            models.UniqueConstraint(fields=["reporter", "post"], condition=Q(post__isnull=False), name="chatreport_post_once"),
            models.UniqueConstraint(
                fields=["reporter", "message"], condition=Q(message__isnull=False), name="chatreport_message_once"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True) | Q(status="resolved", resolved_at__isnull=False),
                name="chatreport_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"chat report #{self.pk}"


class ResourceQuerySet(ScopedQuerySet):
    def scoped_to(self, user) -> "ResourceQuerySet":
        """Published program-wide resources and those of the reader's groups; curators also see archived ones."""
        curated = Q(group_id__in=user.coordinated_group_ids)
        readable = Q(status=Resource.Status.PUBLISHED) & (Q(group__isnull=True) | Q(group_id__in=user.member_group_ids))
        return self.filter(curated | readable)

    def published(self) -> "ResourceQuerySet":
        return self.filter(status=Resource.Status.PUBLISHED)


class Resource(Transitions, models.Model):
    """A healing resource in the toolkit library: a link, a text, or both."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    TRANSITIONS = {Status.PUBLISHED: {Status.ARCHIVED}, Status.ARCHIVED: {Status.PUBLISHED}}

    title = models.CharField(_("title"), max_length=160)
    url = models.URLField(_("link"), max_length=500, blank=True)
    body = models.TextField(_("text"), max_length=5000, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="resources", verbose_name=_("topics"))
    group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="resources",
        verbose_name=_("group"), help_text=_("Leave empty for every group (staff only)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(body=""), name="resource_has_link_or_text"),
        ]

    def __str__(self) -> str:
        return self.title


class SavedResourceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SavedResourceQuerySet":
        return self.filter(match__in=Match.objects.visible_to(user))


class SavedResource(models.Model):
    """A resource a mentor or mentee kept on their match, for both of them."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="saved_resources")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="saves")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["match", "resource"], name="savedresource_once_per_match")]

    def __str__(self) -> str:
        return f"{self.resource} on match #{self.match_id}"
