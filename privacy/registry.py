"""What each app holds about a member, and what erasure does with it.

Every app above privacy registers itself from its AppConfig.ready (privacy
knows only profiles, and registers profiles' part itself, in privacy/apps.py):

    # matches/apps.py, in MatchesConfig.ready: matches/privacy.py's export(user), erase(user),
    # COVERS, EXEMPT, SCRUBBED_TEXT and TEXT_KEPT, as register_exporter, _eraser and _free_text
    register_app("matches", privacy)

Exporters and erasers: `covers` names every "app.Model.field" pointing at the
user that the app's exporter and eraser handle. A model with a foreign key to
the user that is neither covered nor in EXEMPT (with its reason) fails
privacy/tests/test_privacy_apps.py, so a new model cannot be forgotten.
An exporter returns JSON-serialisable data (dates are fine) about `user` only:
their own words and records, not other people's private text. An eraser
removes or blanks the member's personal free text in that app's rows while
keeping the rows other people rely on; it runs inside the completion
transaction, before the account is anonymised (so
`services.personal_identifiers(user)` still finds the name and address), and
must be safe to run twice.

Free text: every free-text field of the project's models (a TextField, or a
CharField without choices) is either *scrubbed* on erasure — in every row,
whoever wrote it, the member's identifiers (email, full name, first name alone,
phone, Discord) become "[former member]" — or *kept*, with the reason it cannot
name anyone or is handled elsewhere. `unexplained_free_text()` lists a field
that is neither, and privacy/tests/test_erasure_text.py fails on it.
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

_EXPORTERS: dict[str, Callable] = {}
_ERASERS: dict[str, Callable] = {}
_COVERS: dict[str, frozenset[str]] = {}
_SCRUBBED: set[str] = set()
_HISTORY_SCRUBBERS: dict[str, Callable] = {}

# Foreign keys to the user that no exporter reads, and why. Everything else
# pointing at the user must be named in some registration's `covers`.
EXEMPT: dict[str, str] = {
    "admin.LogEntry.user": "Django admin log of staff edits (staff only); object names of the erased person are scrubbed.",
    "mfa.Authenticator.user": "Authenticator secrets are never exported (a download must not carry a second factor); deleted.",
}
# Free text that erasure leaves as it is, and why.
TEXT_KEPT: dict[str, str] = {}


def register_exporter(name: str, fn: Callable, covers: Iterable[str] = (), exempt: dict[str, str] | None = None) -> None:
    """Add a section `name` to every member's export (registering a name twice replaces it).

    `covers`: the "app.Model.field" foreign keys to the user this section (and
    the app's eraser) handles; `exempt`: the app's ones it deliberately does
    not export, each with its reason.
    """
    _EXPORTERS[name] = fn
    _COVERS[name] = frozenset(covers)
    EXEMPT.update(exempt or {})


def register_eraser(name: str, fn: Callable) -> None:
    """Run `fn(user)` when a member's erasure is completed (registering a name twice replaces it)."""
    _ERASERS[name] = fn


def register_history_scrubber(name: str, fn: Callable) -> None:
    """Run `fn(user, identifiers)` last in an erasure, after the account is anonymised: the
    history of changes (the audit app) drops what it copied of the member (registering a
    name twice replaces it)."""
    _HISTORY_SCRUBBERS[name] = fn


def register_free_text(scrubbed: Iterable[str] = (), kept: dict[str, str] | None = None) -> None:
    """`scrubbed`: "app.Model.field" free text in which erasure replaces the member's
    identifiers in every row; `kept`: the app's other free-text fields, each with why."""
    _SCRUBBED.update(scrubbed)
    TEXT_KEPT.update(kept or {})


def register_app(name: str, module) -> None:
    """An app's privacy module (export, erase, COVERS, EXEMPT if any, SCRUBBED_TEXT, TEXT_KEPT), registered at once."""
    register_exporter(name, module.export, covers=module.COVERS, exempt=getattr(module, "EXEMPT", None))
    register_eraser(name, module.erase)
    register_free_text(module.SCRUBBED_TEXT, module.TEXT_KEPT)


def exporters() -> dict[str, Callable]:
    return dict(sorted(_EXPORTERS.items()))


def erasers() -> dict[str, Callable]:
    return dict(sorted(_ERASERS.items()))


def history_scrubbers() -> dict[str, Callable]:
    return dict(sorted(_HISTORY_SCRUBBERS.items()))


def scrubbed_fields() -> set[str]:
    return set(_SCRUBBED)


def covered_fields() -> set[str]:
    return set().union(*_COVERS.values())


def user_fields(model_list: Any = None) -> list[str]:
    """Every "app.Model.field" (foreign key, one-to-one, many-to-many) pointing at the user model."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models() if model_list is None else model_list:
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.related_model is user_model:
                found.append(f"{model._meta.label}.{field.name}")
    return found


def uncovered_user_fields(model_list: Any = None) -> list[str]:
    """Fields pointing at the user that no exporter covers and EXEMPT does not explain."""
    known = covered_fields() | set(EXEMPT)
    return [name for name in user_fields(model_list) if name not in known]


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
