"""The audit app's part of a member's export and erasure (registered in apps.py).

Event rows copy the tracked rows (names, addresses, a profile's words), so erasure
scrubs them like the rows themselves: the registry's free-text scrub covers every
event table's text (the member's identifiers become "[former member]" in every
row, as in the tracked tables), and `scrub` runs last, after the account is
anonymised: the history of the member's own profile loses its values, and the
context of any change (a URL) loses their identifiers. The rows stay: who
changed what, when.
"""

from pghistory.models import Context

from privacy.registry import free_text_fields, user_fields
from privacy.services import ERASED_VALUE, identifier_pattern, rows_mentioning, scrub_value
from profiles.models import Profile

from .history import event_models
from .models import History

COVERS = ()
_KEPT_PGH = "Written by the history triggers: a label, a model name or an id, never a person's words."


def exempt() -> dict[str, str]:
    reasons = {"audit.AccessEvent.actor": "A staff member's reads of reports: the access trail of other "
                                          "people's reports, kept whole."}
    reasons["pghistory.MiddlewareEvents.user"] = ("django-pghistory's own view of the event tables (no table, "
                                                  "not used): the tables themselves are handled here.")
    for name in user_fields(event_models()):
        reasons[name] = "History's copy of a row's link to a person, kept as the row keeps it (the person is anonymised)."
    return reasons


def scrubbed_text() -> list[str]:
    """Every free-text field the event tables copy: scrubbed in every row, as in the tracked table."""
    return [name for name in free_text_fields(event_models()) if not name.rsplit(".", 1)[1].startswith("pgh_")]


def text_kept() -> dict[str, str]:
    kept = {name: _KEPT_PGH for name in free_text_fields(event_models()) if name.rsplit(".", 1)[1].startswith("pgh_")}
    for name in free_text_fields([History]):
        kept[name] = "The union of the event tables, read only: each table's own fields are scrubbed."
    kept["audit.AccessEvent.object_id"] = "An object's id."
    kept["audit.AccessEvent.path"] = "A portal URL path: ids, never names."
    return kept


def export(user) -> dict:
    """What this person changed (which object, when), without the values (other people's data)."""
    events = History.objects.filter(pgh_context__user=user.pk).order_by("pgh_created_at")[:5000]
    return {
        "changes_made": [
            {"at": e.pgh_created_at, "action": e.pgh_label, "object": e.pgh_obj_model, "object_id": e.pgh_obj_id}
            for e in events
        ]
    }


def scrub(user, identifiers: list[str]) -> None:
    profile_ids = [str(pk) for pk in Profile.objects.filter(user=user).values_list("pk", flat=True)]
    for model in event_models():
        if model.pgh_tracked_model is not Profile:
            continue
        texts = [f.name for f in model._meta.concrete_fields
                 if f.get_internal_type() in ("CharField", "TextField") and not f.name.startswith("pgh_")
                 and not f.choices]
        for name in texts:
            model.objects.filter(pgh_obj_id__in=profile_ids).exclude(**{name: ""}).update(**{name: ERASED_VALUE})
    pattern = identifier_pattern(identifiers)
    if pattern is None:
        return
    lower = {v.lower() for v in identifiers}
    changed = []
    for context in rows_mentioning(Context.objects.all(), ["metadata"], identifiers):
        scrubbed = scrub_value(context.metadata, pattern, lower)
        if scrubbed != context.metadata:
            context.metadata = scrubbed
            changed.append(context)
    Context.objects.bulk_update(changed, ["metadata"], batch_size=500)
