"""Deny by default, one scoping function per model (issue 9): every model of
matches, support and escalations has `visible_to(user)`, nobody signed out sees
a row of any of them, and every admin page and inline reads through it (so an
admin can never list what the model's scope would hide). The pages themselves
are checked by the authorization matrix (tests/test_authz_matrix.py), on the
same world (tests/authz_world.py)."""

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from escalations.models import ConcernEvent
from support.models import CheckIn, MEAProfile
from tests.authz_table import PRINCIPALS
from tests.authz_world import build_world

pytestmark = pytest.mark.django_db

SCOPED_APPS = ("matches", "meetings", "support", "escalations")


def scoped_models():
    # Not the history's event tables (matches.MatchHistory, …): they are read only through
    # audit.History.visible_to (program staff), see test_the_history_is_read_only_through_its_scope.
    return [m for label in SCOPED_APPS for m in apps.get_app_config(label).get_models()
            if not issubclass(m, pghistory.models.Event)]


def test_the_history_is_read_only_through_its_scope(world):
    from audit.history import event_models
    from audit.models import History

    assert History.objects.exists() and not History.objects.visible_to(AnonymousUser()).exists()
    assert not set(event_models()) & set(admin.site._registry), "an event table with its own admin page"


@pytest.fixture
def world(group, other_group, settings):
    settings.MFA_ENFORCE = False
    return build_world(group, other_group)


def test_every_model_of_matches_support_and_escalations_has_one_scoping_function():
    missing = [m._meta.label for m in scoped_models() if not callable(getattr(m._default_manager, "visible_to", None))]
    assert not missing, f"models without visible_to(user): {missing}"


def test_nobody_signed_out_sees_a_row_of_any_of_them(world):
    empty = [m._meta.label for m in scoped_models() if not m._default_manager.exists()]
    # Reminders are written by the beat, not by anything in the world: the others must have rows to hide.
    assert set(empty) <= {"support.Reminder"}, f"the world has no rows of {empty}"
    seen = [m._meta.label for m in scoped_models() if m._default_manager.visible_to(AnonymousUser()).exists()]
    assert not seen


def _admins():
    """(name, model, admin) for every registered admin and each of its inlines."""
    for model, model_admin in admin.site._registry.items():
        yield type(model_admin).__name__, model, model_admin
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            yield f"{type(model_admin).__name__}.{inline_class.__name__}", inline.model, inline


def test_every_admin_and_inline_reads_through_its_models_scope(world):
    people, _objects = world
    readers = [AnonymousUser(), *(people[p] for p in PRINCIPALS if p != "anonymous")]
    request = RequestFactory().get("/admin/")
    checked, leaks = 0, []
    for name, model, model_admin in _admins():
        scope = getattr(model._default_manager, "visible_to", None)
        if scope is None:
            continue
        for reader in readers:
            request.user = reader
            listed = set(model_admin.get_queryset(request).values_list("pk", flat=True))
            allowed = set(scope(reader).values_list("pk", flat=True))
            checked += 1
            if not listed <= allowed:
                leaks.append(f"{name} lists {len(listed - allowed)} {model._meta.label} rows outside "
                             f"visible_to({reader})")
    assert checked > 100
    assert not leaks, "\n".join(leaks)


def test_a_reports_history_is_its_handlers_and_only_its_public_lines_the_reporters(world):
    people, objects = world
    tier1, about_mea = objects["concern_tier1"], objects["concern_about_mea"]

    def lines(who, concern):
        return set(ConcernEvent.objects.visible_to(people[who]).filter(concern_id=concern).values_list("what", flat=True))

    assert lines("mea", tier1) == {"raised", "note"}
    assert lines("mentor", tier1) == {"raised"}  # the reporter: never the MEA's notes
    for who in ("staff", "named_mea", "mentee", "coordinator", "other_mea"):
        assert not lines(who, tier1), who  # tier 1 the MEA still holds: not even staff
    assert "raised" in lines("staff", about_mea)
    for who in ("named_mea", "mea", "coordinator"):
        assert not lines(who, about_mea), who  # a report about the MEA never reaches an MEA


def test_the_people_of_a_match_read_how_to_reach_its_mea_and_others_do_not(client, world):
    people, objects = world
    MEAProfile.objects.filter(user=people["mea"]).update(how_to_reach="Text me on Tuesdays")
    url = reverse("support:match_detail", args=[objects["match"]])
    for who in ("mentee", "mentor", "mea", "coordinator", "staff"):
        client.force_login(people[who])
        assert "Text me on Tuesdays" in client.get(url).content.decode(), who
    for who in ("other_mentor", "other_mea", "named_mea", "other_coordinator"):
        assert not MEAProfile.objects.visible_to(people[who]).filter(user=people["mea"]).exists(), who


def test_a_former_mea_keeps_nothing_of_the_match(world):
    people, objects = world
    named = people["named_mea"]
    assert not CheckIn.objects.visible_to(named).exists()  # the check-in they recorded is the match's MEA's now
    assert CheckIn.objects.visible_to(people["mea"]).filter(match_id=objects["match"]).count() == 2
    of_the_match = ["matches.Match", "matches.Proposal", "matches.MatchEvent", "support.MatchSupport", "support.CheckIn",
                    "support.CheckInRequest", "support.Milestone", "escalations.Concern", "escalations.ConcernEvent",
                    "escalations.Debrief"]
    for label in of_the_match:
        assert not apps.get_model(label)._default_manager.visible_to(named).exists(), f"{label} still visible"


def test_a_mentors_own_list_is_a_part_of_what_they_may_see(world):
    # Mentor home reads Match.mentored_by (no OR of roles, for the planner): for every
    # principal it must hold nothing that visible_to would hide.
    from matches.models import Match

    people, _ = world
    assert Match.objects.mentored_by(AnonymousUser()).count() == 0
    for name in PRINCIPALS[1:]:
        person = people[name]
        own = set(Match.objects.mentored_by(person).values_list("pk", flat=True))
        assert own <= set(Match.objects.visible_to(person).values_list("pk", flat=True)), name
        assert own == set(Match.objects.visible_to(person).filter(mentor=person).values_list("pk", flat=True)), name
    assert Match.objects.mentored_by(people["mentor"]).exists()
