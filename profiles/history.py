"""How every tracked model declares its history (audit/, docs/AUDIT.md)."""

import pghistory


def tracked(model_name: str, *events, **options):
    """pghistory.track as this project uses it: insert, update and delete events (or `events`),
    into the event model `model_name`, read back as `obj.history`. `options`: exclude/fields."""
    return pghistory.track(
        *(events or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())),
        model_name=model_name,
        obj_field=pghistory.ObjForeignKey(related_name="history", related_query_name="history"),
        **options,
    )
