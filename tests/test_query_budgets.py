"""Query budgets: every admin changelist and role page costs the same number of
queries with 10 rows as with 1,000 (or 2,000), and at most 10.

The data comes from the sample program generator (mentorship.sample_program), written
with COPY inside the test's transaction, so the rows look like a real program:
groups, people in every role, matches with check-ins and concerns. No timing
here: speed is measured by `make bench`, never in tests.
"""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from mentorship.sample_program import Program, probe_email
from profiles.models import Role, User
from profiles.services import role_grant

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The sign-in backend (mentorship.security) reads the person with their open role grants, their
# authenticator and (for the navigation badge) their unread notices: one of the ten.
BUDGET = 10
OUR_APPS = {"profiles", "privacy", "notifications", "matches", "support", "escalations", "community"}
# The program settings have no list: their changelist is a redirect to their one page.
CHANGELISTS = sorted(
    f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry
    if m._meta.app_label in OUR_APPS and m._meta.model_name != "programsettings"
)
# Flat cost (the same count at both sizes) is always enforced: a query per row fails,
# and so does a page over the budget of 10. Counts include the session, user and role-grant
# reads every signed-in page makes, and the request's savepoint and its release.


def _params(names):
    out = []
    for item in names:
        name = item[0] if isinstance(item, tuple) else item
        out.append(pytest.param(*(item if isinstance(item, tuple) else (item,)), id=name))
    return out


# The homes `make bench` measures, tighter: the session, the person (with their roles, authenticator
# and unread notices, mentorship.security) and the page's own reads, no transaction (they only read).
HOME_BUDGETS = {"matches:mentor_home": 6, "matches:coordinator_home": 6, "support:mea_home": 6}

# Role pages with a list, and the probe person (10 rows / 2,000 rows) who sees it.
ROLE_PAGES = [
    ("matches:mentor_home", "mentor"),
    ("matches:mentee_home", "mentee"),
    ("matches:coordinator_home", "coordinator"),
    ("support:mea_home", "mea"),
    ("support:coordinator_dashboard", "coordinator"),
    ("support:members", "coordinator"),
    ("escalations:staff_home", "staff"),
]


def program(n: int, **kwargs) -> Program:
    p = Program(n, **kwargs)
    p.build()
    p.write(truncate=True)
    return p


def superuser_client(client):
    user, _ = User.objects.get_or_create(email="budget-admin@example.org", defaults={"is_staff": True, "is_superuser": True})
    role_grant(user, Role.STAFF)
    client.force_login(user)
    return client


def within_budget(name: str, count: int) -> None:
    assert count <= BUDGET, f"{name}: {count} queries, budget {BUDGET}"


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries)


def test_every_admin_changelist_counts_cheaply():
    """No changelist counts the whole table a second time ("N total")."""
    ours = [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in OUR_APPS]
    assert len(ours) == len(CHANGELISTS) + 1 > 20
    for model, model_admin in admin.site._registry.items():  # ours and the adopted ones (auth, allauth, axes)
        assert model_admin.show_full_result_count is False, model._meta.label
    for model, model_admin in ours:
        assert not model_admin.date_hierarchy, f"{model._meta.label}: date_hierarchy reads the whole table per page"


@pytest.mark.parametrize("name", _params(CHANGELISTS))
def test_admin_changelist_costs_the_same_queries_at_10_and_1000_rows(name, client):
    url = reverse(name)
    program(10, probes=False, concern_rate=1.0)
    small = queries(superuser_client(client), url)
    program(1000, probes=False, concern_rate=1.0)
    large = queries(superuser_client(client), url)
    assert large == small, f"{name}: {small} queries at 10 rows, {large} at 1,000"
    within_budget(name, large)


@pytest.mark.parametrize(("name", "who"), _params(ROLE_PAGES))
def test_role_page_costs_the_same_queries_for_10_and_2000_rows(name, who, client):
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.skip(f"{name} is not built yet")
    program(10)  # the probe people: lists of 10 and of 2,000 rows
    counts = {}
    for size in ("small", "large"):
        email = probe_email("staff" if who == "staff" else f"{who}-{size}")
        client.force_login(User.objects.get(email=email))
        counts[size] = queries(client, url)
    if who != "staff":
        assert counts["large"] == counts["small"], f"{name}: {counts['small']} queries at 10 rows, {counts['large']} at 2,000"
    within_budget(name, counts["large"])
    if name in HOME_BUDGETS:
        assert counts["large"] <= HOME_BUDGETS[name], f"{name}: {counts['large']} queries, budget {HOME_BUDGETS[name]}"
