"""The read log: who (staff) opened which object's page."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AccessEvent


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


def access_record(actor, obj: models.Model, path: str = "") -> AccessEvent:
    """Write one access row: `actor` (staff) read `obj`'s page at `path`."""
    return AccessEvent.objects.create(
        actor_id=_actor_id(actor),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        path=path[:300],
    )


def record_admin_read(sender, request, obj, **kwargs) -> None:
    """profiles.admin_access.object_read: an admin page of a read-logged model was shown."""
    access_record(request.user, obj, request.path)
