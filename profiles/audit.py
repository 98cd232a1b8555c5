"""The audit trail: record who changed what (old and new) and who read what.

How other apps adopt it
-----------------------
1. Single-object changes in services: after saving, call
       audit_record(actor, match, "ended", {"status": [old, new]})
   (`changes_between(before, after)` builds that dict from two value dicts).
2. Bulk changes (`.update()`, `.delete()`, admin bulk actions): give the model
   an audited manager, so no write path escapes the trail:
       class MatchQuerySet(AuditedQuerySet): ...
       objects = MatchQuerySet.as_manager()
   Every `Match.objects.filter(...).update(status=...)` then writes one
   AuditEvent per changed row with the old and new values, and `.delete()`
   one per deleted row. The actor is the signed-in person of the current
   request (set by mentorship.security.AuditActorMiddleware), or whoever is
   named with `with audit_actor(user): ...`, else None (the system).
3. The admin: `AuditedAdminMixin` records change-form saves and deletes;
   `AccessAuditedAdminMixin` records every staff read of an object's page.
4. Reads outside the admin (a staff page showing a report):
       access_record(request.user, concern, request.path)

Confidential fields (report or check-in text): list them in the queryset's
`audit_redact_fields`; their changes are recorded as "[redacted]" so the trail
never becomes a second copy of someone's disclosure.
"""

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .trust_models import AccessEvent, AuditEvent

REDACTED = "[redacted]"

_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


def current_actor():
    """The person the current change is attributed to (None: the system)."""
    return _actor.get()


@contextmanager
def audit_actor(user):
    """Attribute changes inside the block to `user` (a task acting for someone, a test)."""
    # Stored as given (a request's lazy user stays lazy until a change is recorded).
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


def changes_between(before: dict[str, Any], after: dict[str, Any], redact: Iterable[str] = ()) -> dict[str, list]:
    """{"field": [old, new]} for every key whose value differs; redacted fields keep no content."""
    redact = set(redact)
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [REDACTED, REDACTED] if key in redact else [old, new]
    return changed


def audit_record(actor, obj: models.Model, action: str, changes: dict | None = None) -> AuditEvent:
    """Write one history row: `actor` did `action` to `obj`, with `changes` {"field": [old, new]}.

    `actor` may be None (the system) or an anonymous user (recorded as None).
    Call it inside the same transaction as the change, so a rolled-back
    change leaves no history and a committed one always has it.
    """
    if actor is None:
        actor = current_actor()
    return AuditEvent.objects.create(
        actor_id=_actor_id(actor),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        action=action[:60],
        changes=changes or {},
    )


def access_record(actor, obj: models.Model, path: str = "") -> AccessEvent:
    """Write one access row: `actor` (staff) read `obj`'s page at `path`."""
    return AccessEvent.objects.create(
        actor_id=_actor_id(actor),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        path=path[:300],
    )


class AuditedQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes leave history rows.

    `update(**fields)` reads the affected rows' current values, updates, reads
    the new values (so F() expressions are recorded as their results) and
    writes one AuditEvent per row whose values changed, action "update" (or
    `audit_action`, see `with_audit_action`). `delete()` writes one "delete"
    event per row with its last values. The reads, the write and the history
    are in one transaction; the caller's own lock (select_for_update) or
    conditional filter decides which rows change, as without auditing.
    """

    audit_redact_fields: tuple[str, ...] = ()
    _audit_action = "update"

    def with_audit_action(self, action: str) -> "AuditedQuerySet":
        """Name the bulk change in the trail: `.with_audit_action("expired").update(...)`."""
        clone = self._chain()
        clone._audit_action = action
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._audit_action = self._audit_action
        return clone

    def update(self, **kwargs) -> int:
        from django.db import transaction

        fields = [self.model._meta.get_field(name).attname for name in kwargs]
        with transaction.atomic(using=self.db):
            before = {row["pk"]: row for row in self.values("pk", *fields)}
            count = super().update(**kwargs)
            if before:
                after = self.model._base_manager.using(self.db).filter(pk__in=list(before)).values("pk", *fields)
                self._write_history({row["pk"]: row for row in after}, before, self._audit_action)
        return count

    def delete(self):
        from django.db import transaction

        with transaction.atomic(using=self.db):
            concrete = [f.attname for f in self.model._meta.concrete_fields if f.attname != "id"]
            before = {row["pk"]: row for row in self.values("pk", *concrete)}
            result = super().delete()
            self._write_history({pk: {"pk": pk} for pk in before}, before, "delete", deleted=True)
        return result

    def _write_history(self, after: dict, before: dict, action: str, deleted: bool = False) -> None:
        actor_id = _actor_id(current_actor())
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        events = []
        for pk, old in before.items():
            old = {k: v for k, v in old.items() if k != "pk"}
            new = {} if deleted else {k: v for k, v in after.get(pk, {}).items() if k != "pk"}
            changes = (
                {k: [REDACTED if k in self.audit_redact_fields else v, None] for k, v in old.items()}
                if deleted
                else changes_between(old, new, self.audit_redact_fields)
            )
            if changes or deleted:
                events.append(
                    AuditEvent(actor_id=actor_id, content_type=content_type, object_id=str(pk), action=action, changes=changes)
                )
        AuditEvent.objects.bulk_create(events)


class AuditedModelMixin:
    """Model mixin: every `save()` leaves history with the saved fields' old and new values.

    For models whose single-object writes come from many services (a match, a
    check-in, a report): no service can forget to record. The values an
    instance was loaded with are kept (`from_db`, no extra query), so a save
    compares against them; a new row is recorded as "create" with its values
    (confidential ones redacted). Put it before `models.Model` in the bases,
    and give the model an AuditedQuerySet manager so bulk writes are covered
    too; the queryset's `audit_redact_fields` apply here as well. Name a save
    in the trail with `obj.save(update_fields=[...], audit_action="ended")`.
    The actor is `current_actor()` (the request's person, or `audit_actor`).
    """

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Only a reference to the loaded row: lists pay nothing until a save.
        instance._audit_loaded = (field_names, values)
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._audit_remember()

    def _audit_remember(self) -> None:
        names = [f.attname for f in self._meta.concrete_fields if f.attname in self.__dict__]
        self._audit_loaded = (names, [self.__dict__[n] for n in names])

    def _audit_fields(self, update_fields) -> list[str]:
        fields = [f for f in self._meta.concrete_fields if not f.primary_key]
        if update_fields is not None:
            wanted = set(update_fields)
            fields = [f for f in fields if f.name in wanted or f.attname in wanted]
        return [f.attname for f in fields if f.attname in self.__dict__]

    def save(self, *args, audit_action: str | None = None, **kwargs):
        from django.db import router, transaction

        adding = self._state.adding
        names = self._audit_fields(kwargs.get("update_fields"))
        before: dict[str, Any] = {}
        if not adding:
            loaded_names, loaded_values = getattr(self, "_audit_loaded", ((), ()))
            loaded = dict(zip(loaded_names, loaded_values, strict=False))
            before = {n: loaded[n] for n in names if n in loaded}
            missing = [n for n in names if n not in loaded]
            if missing and self.pk is not None:
                # Built without loading (or a deferred field): read what it was.
                row = type(self)._base_manager.using(kwargs.get("using") or router.db_for_write(type(self)))
                before.update(row.filter(pk=self.pk).values(*missing).first() or {})
        redact = getattr(type(type(self)._default_manager.all()), "audit_redact_fields", ())
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
            super().save(*args, **kwargs)
            after = {n: getattr(self, n) for n in names}
            if adding:
                # A new row: its values, leaving out the empty ones (nothing was said).
                after = {n: v for n, v in after.items() if v not in (None, "", [], {})}
            changes = changes_between(before, after, redact)
            if adding or changes:
                audit_record(None, self, audit_action or ("create" if adding else "change"), changes)
        self._audit_remember()


class AuditedAdminMixin:
    """ModelAdmin mixin: change-form saves and deletions (single and bulk) leave history.

    Bulk admin actions that call `queryset.update()` are covered by the model's
    AuditedQuerySet; this mixin covers what goes through `save_model`,
    `delete_model` and `delete_queryset`.
    """

    def save_model(self, request, obj, form, change):
        redact = set(getattr(type(self.model._default_manager.all()), "audit_redact_fields", ()))
        before = {name: form.initial.get(name) for name in form.changed_data} if change else {}
        super().save_model(request, obj, form, change)
        after = {name: form.cleaned_data.get(name) for name in form.changed_data}
        after = {k: (str(v) if isinstance(v, models.Model) else v) for k, v in after.items()}
        before = {k: (str(v) if isinstance(v, models.Model) else v) for k, v in before.items()}
        if not all(_json_safe(v) for v in [*before.values(), *after.values()]):
            before = {k: str(v) for k, v in before.items()}
            after = {k: str(v) for k, v in after.items()}
        audit_record(request.user, obj, "admin_change" if change else "admin_add", changes_between(before, after, redact))

    def delete_model(self, request, obj):
        audit_record(request.user, obj, "admin_delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with audit_actor(request.user):
            if isinstance(queryset, AuditedQuerySet):
                queryset.delete()
                return
            for obj in queryset:
                audit_record(request.user, obj, "admin_delete")
            super().delete_queryset(request, queryset)


class AccessAuditedAdminMixin:
    """ModelAdmin mixin: every view of an object's admin page leaves an AccessEvent."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                access_record(request.user, obj, request.path)
        return response


def _json_safe(value) -> bool:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    try:
        json.dumps(value, cls=DjangoJSONEncoder)
    except TypeError:
        return False
    return True
