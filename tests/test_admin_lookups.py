"""The admin answers only what it shows: a changelist applies the filters, search and
date drill-down its admin offers, and refuses any other lookup in the query string
with a 400, for program staff and for the superuser alike.

Django's own changelist applies a lookup on any field of the model
(`?body_text__regex=...`): its "1 result" / "0 results" reads a hidden field out a
character at a time (issue 16: a password-reset key was read out of the outbox).
Walks admin.site._registry, so a newly registered admin is covered."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from profiles.models import Role, User
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)

# Fields whose text is confidential (or a secret): no admin may search them with `q`.
CONFIDENTIAL = {
    "escalations.Concern": {"details", "outcome"},
    "escalations.ConcernEvent": {"note"},
    "notifications.Delivery": {"body_text", "body_html"},
    "profiles.Profile": {"bio", "phone", "discord", "gender_self_described"},
    "profiles.User": {"password"},
    "mfa.Authenticator": {"data"},
    "matches.Match": {"gratitude_note"},
    "matches.MentorApplication": {"experiences", "review_note"},
    "matches.MenteePreference": {"note"},
    "support.CheckIn": {"with_whom", "to_celebrate", "worrying", "private_note"},
    "support.CheckInRequest": {"to_celebrate", "worrying"},
    "community.ChatMessage": {"body"},
    "community.ChatReport": {"note"},
}


def _text_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.auto_created]


def hidden_lookups(model) -> list[str]:
    """A regex and a contains on every text field of the model, and a startswith on every
    text field of every model it points to."""
    lookups = []
    for name in _text_fields(model):
        lookups += [f"{name}__regex", f"{name}__contains"]
    for field in model._meta.get_fields():
        if (field.many_to_one or field.one_to_one) and field.related_model is not None:
            lookups += [f"{field.name}__{name}__startswith" for name in _text_fields(field.related_model)]
    return lookups


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture(params=["program staff", "superuser"])
def admin_user(request, group, settings):
    settings.MFA_ENFORCE = False
    if request.param == "superuser":
        return User.objects.create_superuser("root@example.org", "pw-long-enough-1")
    return member(Role.STAFF, group)


def test_every_admin_refuses_a_lookup_it_does_not_offer_on_every_text_field(client, admin_user):
    client.force_login(admin_user)
    applied, tried = [], 0
    for model, _model_admin in ADMINS:
        bare = client.get(changelist(model))
        for lookup in hidden_lookups(model):
            tried += 1
            response = client.get(changelist(model), {lookup: "x"})
            if bare.status_code == 302 and response.status_code == 302 and response.url == bare.url:
                continue  # a single-row admin (program settings) has no list to filter: it goes to its one page
            if response.status_code != 400:
                applied.append(f"{model._meta.label}?{lookup}=x: {response.status_code}")
    assert tried > 200, "the walk reached the text fields of every admin"
    assert not applied, "\n".join(applied)


def test_staff_cannot_read_an_outbox_body_one_character_at_a_time(client, staff_user, settings):
    """The probe of the penetration test, as it was sent."""
    settings.MFA_ENFORCE = False
    client.force_login(staff_user)
    response = client.get(reverse("admin:notifications_delivery_changelist"),
                          {"q": "admin@example.org", "body_text__regex": "password/reset/key/[a-z]"})
    assert response.status_code == 400


def test_a_lookup_on_an_offered_filters_field_is_refused_unless_it_is_the_one_offered(client, admin_user):
    from escalations.models import Concern

    client.force_login(admin_user)
    assert client.get(changelist(Concern), {"status__exact": "open"}).status_code == 200
    assert client.get(changelist(Concern), {"status__regex": "^o"}).status_code == 400
    assert client.get(changelist(Concern), {"match__group__name__startswith": "A"}).status_code == 400
    assert client.get(changelist(Concern), {"no_such_field": "1"}).status_code == 400


def test_every_offered_filter_choice_search_and_date_drill_down_still_answers(client, admin_user):
    client.force_login(admin_user)
    failed = []
    for model, model_admin in ADMINS:
        url = changelist(model)
        page = client.get(url)
        if page.status_code == 302:
            continue  # a single-row admin (program settings): no list, no filters
        assert page.status_code == 200, model._meta.label
        cl = page.context["cl"]
        queries = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
        if model_admin.search_fields:
            queries.append("?q=someone")
        if model_admin.date_hierarchy:
            queries.append(f"?{model_admin.date_hierarchy}__year=2026&{model_admin.date_hierarchy}__month=1")
        for query in queries:
            response = client.get(url + query)
            if response.status_code != 200:
                failed.append(f"{model._meta.label}{query}: {response.status_code}")
    assert not failed, "\n".join(failed)


def test_a_chosen_filter_narrows_the_list(client, admin_user, group):
    member(Role.MENTOR, group)
    member(Role.STAFF, group)
    client.force_login(admin_user)
    staff_only = client.get(changelist(User), {"role_grants__role__exact": Role.STAFF})
    assert staff_only.status_code == 200
    shown = {user.pk for user in staff_only.context["cl"].result_list}
    assert shown and all(User.objects.get(pk=pk).role_grants.filter(role=Role.STAFF).exists() for pk in shown)


def test_no_admin_searches_a_confidential_field():
    searched = []
    for model, model_admin in ADMINS:
        for path in model_admin.search_fields:
            parts = path.lstrip("=^@").split("__")
            target = model
            for part in parts:
                field = target._meta.get_field(part)
                if field.name in CONFIDENTIAL.get(target._meta.label, set()):
                    searched.append(f"{model._meta.label}: {path}")
                if field.is_relation:
                    target = field.related_model
    assert not searched, searched


def test_the_confidential_list_names_real_fields():
    from django.apps import apps

    for label, names in CONFIDENTIAL.items():
        model = apps.get_model(label)
        for name in names:
            model._meta.get_field(name)
