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

from tests.authz_table import KWARG_DEFAULTS, LOGIN, PRINCIPALS, TABLE
from tests.authz_world import build_world

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
    settings.MFA_ENFORCE = False
    settings.MATCH_SUGGESTIONS_FOR_MENTEES = True
    return build_world(group, other_group)


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
