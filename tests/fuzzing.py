"""Shared pieces of the property-based (fuzz) tests of the apps' POST endpoints.

- `FUZZ`: hypothesis settings kept small, so the whole fuzz set stays fast
  (FUZZ_EXAMPLES=300 in the environment for a deeper hunt).
- `junk`, `ids`: the bad input every endpoint must survive; `spoiled(valid)` a good
  submission with some fields bad; `as_posted(form)` a form hypothesis.extra.django's
  `from_form` made valid, as a browser posts it.
- `post_endpoints(namespace)`: the URL names of a namespace whose views handle a
  POST, found from the URL resolver, so a new POST URL without a fuzz case fails;
  `our_post_endpoints()` the same for every app of ours (tests/test_fuzz_coverage.py
  requires each to be in some fuzz module's `FUZZED` registry).
- `State`: a fingerprint of every row of the given apps, to prove a refused
  request saved nothing (not even half of it).
- `send(client, path, data)`: posts and classifies the answer as accepted or
  refused, failing on a 500 or an unclear answer.
- `rolled_back()`: each hypothesis example is undone, so examples are independent.
- `as_(user)`: a test client signed in as `user` that answers a crash with a 500.
"""

import inspect
import os
import re
from contextlib import contextmanager

from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 12)), deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

BIG = 2**63
junk = st.one_of(
    st.text(max_size=40),
    st.text(min_size=2000, max_size=3000),  # oversized
    st.text(max_size=10).map(lambda s: s + "\x00" + s),  # NUL byte: Postgres text cannot hold it
    st.integers(min_value=-BIG * 4, max_value=BIG * 4).map(str),  # out of every integer column's range
    st.sampled_from(["", " ", "\x00", "1e309", "NaN", "-1", "0", "99999-12-31", "[]", "{}", "null", "\u202e\ufeff"]),
)
ids = st.one_of(
    st.integers(min_value=-BIG * 4, max_value=BIG * 4).map(str),
    st.sampled_from(["", "abc", "\x00", "1.5", "1e3", " 1", "0x10"]),
)


bool_junk = st.one_of(st.just("on"), junk)
huge_ids = st.sampled_from([0, BIG - 1, BIG, BIG * 10**6])


def fields(names, values=junk):
    """Any subset of `names` (missing fields), each with bad or random values."""
    return st.fixed_dictionaries({}, optional={name: values for name in names})


def spoiled(valid: dict, values=junk):
    """`valid` (a submission that would be accepted) with any of its fields replaced by bad values or left out:
    one bad field among good ones reaches further into a view than an all-junk form."""
    missing = object()
    return st.fixed_dictionaries({
        name: st.one_of(st.just(value), values, st.just(missing)) for name, value in valid.items()
    }).map(lambda data: {name: value for name, value in data.items() if value is not missing})


def as_posted(form) -> dict:
    """The data of a form made by hypothesis.extra.django's `from_form`, as a browser would post it."""
    data = {}
    for name, value in form.data.items():
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = "on" if value is True else getattr(value, "pk", value)
    return data


# --- Which endpoints take a POST ----------------------------------------------------

POST_MARKERS = re.compile(r"request\.(POST|FILES|body|method)|require_POST|require_http_methods")


def named_patterns(resolver=None, namespace=None):
    """(namespaced URL name, URLPattern) of every named URL, walked from the URL resolver."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from named_patterns(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def _walk(resolver):
    for name, pattern in named_patterns(resolver):
        yield name, pattern.callback


def _handles_post(func, seen=None) -> bool:
    """The view, or a helper of its module it calls, reads a POST (or is POST-only)."""
    view_class = getattr(func, "view_class", None)
    if view_class is not None:  # a class-based view: a post() method, or a form view
        return hasattr(view_class, "post") and "post" in getattr(func, "view_initkwargs", {}).get(
            "http_method_names", view_class.http_method_names)
    seen = seen if seen is not None else set()
    func = inspect.unwrap(func)
    if func in seen:
        return False
    seen.add(func)
    if POST_MARKERS.search(inspect.getsource(func)):
        return True
    module = inspect.getmodule(func)
    for name in func.__code__.co_names:
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and inspect.getmodule(helper) is module and _handles_post(helper, seen):
            return True
    return False


def post_endpoints(namespace: str) -> set[str]:
    """Named URLs of `namespace` whose view handles a POST (read from the URL resolver)."""
    return {name for name, view in _walk(get_resolver())
            if name.startswith(namespace + ":") and _handles_post(view)}


# Third-party URLs the fuzz registries need not cover, and why.
THIRD_PARTY = {
    "allauth": "django-allauth's sign-in, sign-up, password and MFA views: a maintained library with its own "
               "tests and rate limits (sign-up is still fuzzed in test_fuzz_profiles)",
    "admin": "Django's admin (the staff console): Django's own forms, staff-only behind MFA; access is tested in "
             "test_admin_access.py",
}


def _third_party(name: str, view) -> bool:
    if name.startswith("admin:"):
        return True
    module = (getattr(view, "view_class", None) or inspect.unwrap(view)).__module__
    return module.split(".")[0] in THIRD_PARTY


def our_post_endpoints() -> set[str]:
    """Every named URL of the project, outside THIRD_PARTY, whose view handles a POST."""
    return {name for name, view in _walk(get_resolver()) if not _third_party(name, view) and _handles_post(view)}


def assert_every_post_endpoint_is_fuzzed(namespace: str, fuzzed: set[str]) -> None:
    endpoints = post_endpoints(namespace)
    missing = sorted(endpoints - fuzzed)
    assert not missing, f"POST endpoints without a fuzz case: {missing}"
    stale = sorted(fuzzed - endpoints)
    assert not stale, f"fuzz cases for endpoints that no longer take a POST: {stale}"


# --- Nothing half-saved ---------------------------------------------------------------

# Rows that a refused request may legitimately write: reads leave access rows.
IGNORED_MODELS = {"profiles.accessevent"}


class State:
    """A fingerprint of every row of the models of `app_labels` (and their many-to-many tables)."""

    def __init__(self, *app_labels: str):
        self.models = [m for label in app_labels for m in apps.get_app_config(label).get_models(include_auto_created=True)
                       if m._meta.label_lower not in IGNORED_MODELS]

    def take(self) -> dict[str, str]:
        qn = connection.ops.quote_name  # one query for every table, hashed in the database
        sql = " UNION ALL ".join(
            f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t.{qn(m._meta.pk.column)}), '')) "
            f"FROM {qn(m._meta.db_table)} t" for m in self.models)
        with connection.cursor() as cursor:
            cursor.execute(sql, [m._meta.label for m in self.models])
            return dict(cursor.fetchall())

    def changed(self, before: dict[str, str]) -> list[str]:
        after = self.take()
        return [label for label in before if before[label] != after[label]]


# --- Sending and judging one request --------------------------------------------------

ACCEPTED, REFUSED = "accepted", "refused"


def shows_an_error(response) -> bool:
    """The page says what was wrong: an error message, a bound form with errors, or an `error`."""
    if any(m.level >= constants.WARNING for m in get_messages(response.wsgi_request)):
        return True
    contexts = response.context if isinstance(response.context, list) else [response.context]
    values = [(k, v) for context in contexts if context is not None for k, v in context.flatten().items()]
    return any(k == "error" and v or isinstance(v, BaseForm) and v.is_bound and v.errors for k, v in values)


def send(client, path: str, data=None, *, state: State | None = None, method: str = "post", still_asking=False):
    """Send one request; return (response, ACCEPTED or REFUSED).

    Never a 500. A refusal (4xx, a re-shown form, a redirect with an error message)
    changes no row of `state`'s apps. `still_asking`: a 200 may be a further question
    (a confirmation page) rather than an error; it must not have saved anything either.
    """
    client.cookies.pop("messages", None)  # judge this request's messages only
    before = state.take() if state else None
    # A browser's form always carries the CSRF token (the test client does not check it):
    # without it an all-optional form would be an empty POST, i.e. an unbound form.
    data = {"csrfmiddlewaretoken": "x", **(data or {})} if method == "post" else data
    response = getattr(client, method)(path, data or {})
    assert response.status_code != 500, f"{method.upper()} {path} {data!r} answered 500"
    assert response.status_code in (200, 302, 400, 403, 404, 405, 409, 410, 413, 429), (
        f"{method.upper()} {path} answered an unexpected {response.status_code}")
    if response.status_code >= 400:
        verdict = REFUSED
    elif response.status_code == 200:
        verdict = REFUSED
        assert still_asking or shows_an_error(response), f"POST {path} {data!r} re-showed the page without an error"
    elif any(m.level >= constants.WARNING for m in get_messages(response.wsgi_request)):
        verdict = REFUSED
    else:
        verdict = ACCEPTED
    if state and verdict == REFUSED:
        changed = state.changed(before)
        assert not changed, f"POST {path} {data!r} was refused ({response.status_code}) but changed {changed}"
    return response, verdict


def as_(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


class _Undo(Exception):
    pass


@contextmanager
def rolled_back():
    """Undo everything inside (one hypothesis example), keeping the test's fixtures."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
