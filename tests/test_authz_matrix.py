"""The authorization matrix: every URL of the project (walked from the URL
resolver, so a new view cannot be forgotten) against every principal, checked
against tests/authz_table.py. Deny by default means: a page outside your
scope is a 404 (or the sign-in page when anonymous), never a 403 or a partial
page; a URL without a row fails.

MFA enforcement is switched off here (it has its own tests): this matrix is
about which person may see which object.
"""

import fnmatch
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from escalations.services import concern_raise
from matches.links import link_make
from matches.models import Proposal
from matches.tests.factories import MatchFactory, MentorApplicationFactory, ProposalFactory, approved_mentor
from profiles import privacy
from profiles.services import notify, profile_for
from profiles.tests.factories import member
from support.services import checkin_request_create, match_mea_assign, mea_profile_for, support_for
from tests.authz_table import KWARG_DEFAULTS, LOGIN, PRINCIPALS, TABLE

pytestmark = pytest.mark.django_db


def walk(resolver=None, prefix="", namespace=None):
    """(route, name, kwarg names) for every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            route = prefix + str(pattern.pattern)
            kwargs = tuple(pattern.pattern.regex.groupindex)
            yield route, name, kwargs


ALL_URLS = sorted(set(walk()), key=lambda u: (u[1] or "", u[0]))


def row_for(route: str, name: str | None):
    key = name or route
    if key in TABLE:
        return TABLE[key]
    for pattern, row in TABLE.items():
        if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
            return row
    return None


def test_every_url_has_a_row_in_the_table():
    missing = [name or route for route, name, _ in ALL_URLS if row_for(route, name) is None]
    assert not missing, "URLs without a row in tests/authz_table.py:\n" + "\n".join(missing)


def test_the_table_has_no_rows_for_urls_that_no_longer_exist():
    keys = {name or route for route, name, _ in ALL_URLS}
    stale = [k for k in TABLE if "*" not in k and k not in keys]
    assert not stale, f"rows for URLs that do not exist: {stale}"


@pytest.fixture
def world(group, other_group, settings):
    """The principals and the objects the table's rows point at.

    Group A holds THE match (mentor and mentee, supported by `mea`), its
    accepted proposal, a self check-in asked of its mentor, and three reports:
    a tier-1 one the MEA holds, a monitor one that reached staff and the MEA
    (with a debrief the MEA owns), and one about the MEA, made while
    `named_mea` supported the match (the match was then given to `mea`).
    Group B holds another match (other_mentor, other_mea). A mentee of group A
    is still waiting for a mentor, and has applied to mentor.
    """
    settings.MFA_ENFORCE = False
    settings.MATCH_SUGGESTIONS_FOR_MENTEES = True
    people = {
        "mentee": member("mentee", group),
        "mentor": approved_mentor(group),
        "other_mentor": approved_mentor(other_group),
        "mea": member("mea", group),
        "other_mea": member("mea", other_group),
        "named_mea": member("mea", group),
        "coordinator": member("coordinator", group),
        "other_coordinator": member("coordinator", other_group),
        "staff": member("staff", group),
    }
    waiting = member("mentee", group)
    other_mentee = member("mentee", other_group)
    mentor, mentee, mea, named_mea = (people[k] for k in ("mentor", "mentee", "mea", "named_mea"))

    # THE match, first supported by named_mea, who is reported on, then by mea.
    match = supported_match_of(mentor, mentee, group, named_mea)
    about_mea = concern_raise(reporter=mentee, match=match, situations=["harassed"], about="mea")
    assert about_mea.routed_to_mea is None and about_mea.escalated_to_staff
    match_mea_assign(match=match, mea=mea, by=people["coordinator"])
    match.refresh_from_db()
    tier1 = concern_raise(reporter=mentor, match=match, situations=["relational"], about="mentee")
    assert tier1.routed_to_mea == mea and not tier1.escalated_to_staff
    monitor = concern_raise(reporter=mentor, match=match, situations=["victim_of_abuse"], about="mentee")
    assert monitor.routed_to_mea == mea and monitor.escalated_to_staff
    proposal = ProposalFactory(
        mentor=mentor, mentee=mentee, group=group, initiated_by=Proposal.Kind.COORDINATOR,
        initiator=people["coordinator"], status=Proposal.Status.ACCEPTED, match=match,
        mentor_accepted_at=match.started_at, mentee_accepted_at=match.started_at,
        mentor_confirmed_not_close=True, mentee_confirmed_not_close=True,
    )
    checkin_request = checkin_request_create(match=match, by=mea, respondent=mentor)
    mea_profile_for(mea)
    other_match = supported_match_of(people["other_mentor"], other_mentee, other_group, people["other_mea"])
    application = MentorApplicationFactory(applicant=waiting, group=group)

    objects = {
        "mentee_profile": profile_for(mentee).pk,
        "mentee_notification": notify(mentee, "Something needs your attention", "/profile/").pk,
        "mentee_erasure": privacy.erasure_request(mentee).pk,
        "match": match.pk,
        "other_match": other_match.pk,
        "proposal": proposal.pk,
        "application": application.pk,
        "mentor_id": mentor.pk,
        "other_mentor_id": people["other_mentor"].pk,
        "mentee_id": mentee.pk,
        "waiting_mentee": waiting.pk,
        "checkin_request": checkin_request.pk,
        "concern_tier1": tier1.pk,
        "concern_monitor": monitor.pk,
        "concern_about_mea": about_mea.pk,
        "debrief_about_mea": about_mea.debrief.pk,
        "debrief_monitor": monitor.debrief.pk,
        "action_unknown": "delete",
        "link_mentee_accept": link_make(proposal_id=proposal.pk, user_id=mentee.pk, action="accept"),
    }
    assert monitor.debrief.owner_id == mea.pk and about_mea.debrief.owner_id is None
    return people, objects


def supported_match_of(mentor, mentee, group, mea):
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    support_for(match)
    return match


class _Rollback(Exception):
    pass


def _path(route, name, kwarg_names, row, objects):
    if row.get("path"):
        return row["path"]
    kwargs = {}
    for kw in kwarg_names:
        ref = row["kwargs"].get(kw)
        kwargs[kw] = objects[ref] if ref is not None else KWARG_DEFAULTS[kw]
    if name:
        return reverse(name, kwargs=kwargs)
    # Unnamed: fill <converter:name> and (?P<name>...) by hand.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def _data(row, objects) -> dict:
    """The POST body: each value a template filled from the world ("{waiting_mentee}")."""
    return {field: value.format(**objects) for field, value in (row.get("data") or {}).items()}


def _answer(response):
    if response.status_code in (301, 302) and "/login/" in response.url:
        return LOGIN
    return response.status_code


def _matches(expected, actual) -> bool:
    return actual in expected if isinstance(expected, set) else actual == expected


def test_every_url_answers_every_principal_as_the_table_says(world):
    people, objects = world
    mismatches = []
    checked = 0
    clients = {principal: Client() for principal in PRINCIPALS}
    for principal, client in clients.items():
        if principal != "anonymous":
            client.force_login(people[principal])
    for route, name, kwarg_names in ALL_URLS:
        rows = row_for(route, name)
        for row in rows if isinstance(rows, list) else [rows]:
            path = _path(route, name, kwarg_names, row, objects)
            data = _data(row, objects)
            for principal in PRINCIPALS:
                client = clients[principal]
                try:
                    # Each request is undone afterwards, so a POST for one principal
                    # cannot change what the next one sees.
                    with transaction.atomic():
                        response = client.post(path, data) if row["method"] == "post" else client.get(path)
                        raise _Rollback
                except _Rollback:
                    pass
                actual = _answer(response)
                expected = row["expect"][principal]
                checked += 1
                if not _matches(expected, actual):
                    mismatches.append(f"{name or route} {row['method'].upper()} {path} as {principal}: "
                                      f"expected {expected}, got {actual}")
                assert actual != 500, f"{path} as {principal} answered 500"
                assert actual != 403 or (name or route).startswith("admin"), f"{path} as {principal}: 403 leaks existence"
    assert checked > 0
    assert not mismatches, "\n".join(mismatches)


def test_the_table_is_checked_whole():
    """No row may be set aside: every row names an answer for every principal."""
    for key, rows in TABLE.items():
        for row in rows if isinstance(rows, list) else [rows]:
            assert isinstance(row, dict) and set(row["expect"]) == set(PRINCIPALS), key
