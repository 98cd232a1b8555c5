"""Free text that can mention a person, and what erasure does with it.

Every free-text field of the project's models (a TextField, or a CharField without
choices) is either *scrubbed* on erasure — in every row, whoever wrote it, the
erased member's identifiers (email, full name, first name alone, phone, Discord)
become "[former member]" ("Of course, Fatima…" in someone else's chat reply) — or
*kept*, with the reason it cannot name anyone or is handled elsewhere. Each app
registers its own with `register_free_text` (in its AppConfig.ready, beside its
exporter and eraser); `unexplained_free_text()` lists a field that is neither, and
tests/test_security_erasure_text.py fails on it, so a new text field is never
forgotten.

`scrub_free_text` runs after the apps' erasers and before the account is
anonymised (profiles.privacy.erasure_complete). It reads each registered field's
rows that mention an identifier (one query per field) and rewrites them; audited
models record the change with their confidential fields redacted, and the audit
trail is scrubbed after it.
"""

from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

_SCRUBBED: set[str] = set()
TEXT_KEPT: dict[str, str] = {}


def register_free_text(scrubbed: Iterable[str] = (), kept: dict[str, str] | None = None) -> None:
    """`scrubbed`: "app.Model.field" free text in which erasure replaces the member's
    identifiers in every row; `kept`: the app's other free-text fields, each with why."""
    _SCRUBBED.update(scrubbed)
    TEXT_KEPT.update(kept or {})


def scrubbed_fields() -> set[str]:
    return set(_SCRUBBED)


def _project_models():
    base = str(Path(settings.BASE_DIR).resolve())
    for config in apps.get_app_configs():
        path = str(Path(config.path).resolve())
        if path.startswith(base) and ".venv" not in Path(path).parts and "site-packages" not in path:
            yield from config.get_models()


def free_text_fields(model_list: Iterable | None = None) -> list[str]:
    """Every "app.Model.field" of the project that holds free text: a TextField, or a
    CharField whose values are not a fixed list of choices."""
    found = []
    for model in _project_models() if model_list is None else model_list:
        for field in model._meta.get_fields():
            if isinstance(field, (models.CharField, models.TextField)) and not field.auto_created and not field.choices:
                found.append(f"{model._meta.label}.{field.name}")
    return found


def unexplained_free_text(model_list: Iterable | None = None) -> list[str]:
    known = _SCRUBBED | set(TEXT_KEPT)
    return [name for name in free_text_fields(model_list) if name not in known]


def scrub_free_text(identifiers: list[str]) -> int:
    """Replace the member's identifiers in every registered field of every row. Returns rows changed."""
    from .privacy import rows_mentioning, scrub_text

    changed = 0
    for label in sorted(_SCRUBBED):
        app_model, field_name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        limit = model._meta.get_field(field_name).max_length
        for pk, text in rows_mentioning(model._default_manager.all(), [field_name], identifiers).values_list(
            "pk", field_name
        ):
            scrubbed = scrub_text(text, identifiers)[:limit] if limit else scrub_text(text, identifiers)
            if scrubbed != text:
                # Through the model's own queryset: an audited model records "erased" (text redacted).
                queryset = model._default_manager.filter(pk=pk)
                if hasattr(queryset, "with_audit_action"):
                    queryset = queryset.with_audit_action("erased")
                changed += queryset.update(**{field_name: scrubbed})
    return changed


# profiles' own fields.
register_free_text(
    scrubbed=(
        "profiles.Profile.bio", "profiles.Profile.availability", "profiles.SupportGroup.description",
        "profiles.JoinRequest.note", "profiles.Invitation.email",
    ),
    kept={
        "profiles.AuditEvent.object_id": "An object's id.",
        "profiles.AuditEvent.action": "An action name written by the code.",
        "profiles.AccessEvent.object_id": "An object's id.",
        "profiles.AccessEvent.path": "A portal URL path: ids, never names.",
        "profiles.Heartbeat.name": "A worker's name, written by the code.",
        "profiles.User.password": "A password hash; the member's is made unusable on erasure.",
        "profiles.User.email": "A person's own address; the member's is replaced by erased-<id>@invalid.example.",
        "profiles.Profile.display_name": "A person's own name; the member's becomes 'Former member'.",
        "profiles.Profile.pronouns": "A person's own pronouns; the member's are blanked.",
        "profiles.Profile.gender_self_described": "A person's own words about themselves; the member's are blanked.",
        "profiles.Profile.time_zone": "A time zone name.",
        "profiles.Profile.phone": "A person's own number; the member's is blanked.",
        "profiles.Profile.discord": "A person's own handle; the member's is blanked.",
        "profiles.Topic.name": "Program vocabulary written by staff.",
        "profiles.Topic.slug": "Program vocabulary written by staff.",
        "profiles.SupportGroup.name": "A group's name, chosen by staff.",
        "profiles.SupportGroup.slug": "A group's name in URLs.",
        "profiles.SupportGroup.join_code": "A random code.",
        "profiles.ProgramSettings.program_name": "Program settings written by staff.",
        "profiles.ProgramSettings.staff_email": "The program's staff address, set by staff.",
        "profiles.ProgramSettings.checkin_first_days": "A list of numbers.",
        "profiles.ProgramSettings.emergency_numbers": "Emergency numbers set by staff.",
        **{f"profiles.ProgramSettings.{name}": "An emergency number set by staff."
           for name in ("emergency_services", "crisis_line", "crisis_text", "dv_hotline", "dv_text",
                        "child_abuse_hotline")},
        "profiles.Invitation.token_hash": "A hash of a random token.",
        "profiles.OrientationItem.slug": "Orientation material written by staff.",
        "profiles.OrientationItem.title": "Orientation material written by staff.",
        "profiles.OrientationItem.body": "Orientation material written by staff.",
    },
)
