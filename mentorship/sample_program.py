"""A believable program of a chosen size, written fast to Postgres: what `make bench`
measures (`python -m bench datagen --matches N`, bench/datagen.py) and what the
query-budget tests (tests/test_query_budgets.py) count queries against.

Proportions (per active match, roughly what a peer-support program looks like):
one mentee each, mentors with capacity 1-3 (about 0.6 mentors per match), one
MEA per ~6 matches (caseload limit 8), a support group per ~40 matches with
one coordinator, a few staff, 20% more mentees still waiting, a quarter as many
ended matches as active ones (history), about three check-ins per match, a
self check-in pending on 5% of matches and concerns on ~5% of matches.
Check-in due dates are spread so that about 1 match in 5 is
due or overdue today: the reminder benchmark has real work to do.

On top of the program come the *probe* people the page benchmark signs in as:
a "small" and a "large" mentor, MEA and coordinator whose lists hold 10 and
2,000 rows (two extra groups, 2,010 extra matches), one staff member, and a
mentee. Their emails are fixed (`probe-<name>@bench.invalid`).

Rows are written with COPY in one transaction, after TRUNCATE of every
application table when asked (`write(truncate=True)`): the bench runs it only on
a database named *bench*, the tests inside their own test database.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from escalations.routing import SITUATIONS

PROBE_SIZES = {"small": 10, "large": 2000}
PROBE_DOMAIN = "bench.invalid"
TIME_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London", "UTC"]
# Tables never truncated: schema bookkeeping, not program data.
KEEP_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_site"}


def probe_email(name: str) -> str:
    return f"probe-{name}@{PROBE_DOMAIN}"


# --- COPY helpers ---------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """COPY rows (dicts keyed by attname) into a model's table; unset fields get the model's default."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.counts: dict[str, int] = {}

    def __call__(self, model, rows: Iterable[dict]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        fields = [f for f in model._meta.concrete_fields]
        given = set(rows[0])
        defaults = {}
        for f in fields:
            if f.attname in given:
                continue
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif f.null:
                defaults[f.attname] = None
            elif isinstance(f, (models.CharField, models.TextField)):
                defaults[f.attname] = ""
            else:
                raise ValueError(f"datagen: {model._meta.label}.{f.name} has no default; give it a value")
        columns = [f.attname for f in fields]
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join(_text(row[c] if c in row else defaults[c]) for c in columns))
            buf.write("\n")
        buf.seek(0)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.cursor.copy_expert(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN", buf)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)
        return len(rows)


def truncate_all(cursor) -> None:
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in KEEP_TABLES]
    # Check deferred foreign keys now: TRUNCATE refuses to run with their triggers pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE")


# --- The program ----------------------------------------------------------------


class Ids:
    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, key: str) -> int:
        self.next[key] = self.next.get(key, 0) + 1
        return self.next[key]


class Program:
    """Rows for one program, built in memory as dicts and copied table by table."""

    def __init__(self, n_matches: int, seed: int = 1, *, probes: bool = True, concern_rate: float = 0.05):
        self.n = n_matches
        self.with_probes, self.concern_rate = probes, concern_rate
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rows: dict[str, list[dict]] = {}
        self.users: dict[str, list[int]] = {"mentor": [], "mentee": [], "mea": [], "coordinator": [], "staff": []}
        self.probes: dict[str, int] = {}

    def add(self, label: str, **row) -> int:
        row.setdefault("id", self.ids.take(label))
        self.rows.setdefault(label, []).append(row)
        return row["id"]

    # people
    def user(self, role: str | None, group_id: int | None, *, email: str | None = None, name: str | None = None) -> int:
        uid = self.ids.take("profiles.User")
        email = email or f"u{uid}@{PROBE_DOMAIN}"
        self.add(
            # "!": Django's mark for no usable password.
            "profiles.User", id=uid, email=email, password="!", is_active=True, is_staff=role == "staff",  # noqa: S106
            is_superuser=False, date_joined=self.now, last_login=None,
        )
        self.add(
            "profiles.Profile", user_id=uid, display_name=name or f"Member {uid}",
            time_zone=self.rng.choice(TIME_ZONES), updated_at=self.now,
        )
        self.add("account.EmailAddress", user_id=uid, email=email, verified=True, primary=True)
        if group_id:
            joined = self.today - timedelta(days=self.rng.randint(30, 900))
            self.add("profiles.Membership", user_id=uid, group_id=group_id, joined_on=joined)
        if role:
            scoped = role in ("mea", "coordinator")
            self.add(
                "profiles.RoleGrant", user_id=uid, role=role, group_id=group_id if scoped else None,
                started_at=self.now - timedelta(days=400), ended_at=None, granted_by_id=None,
            )
            self.users[role].append(uid)
        if role in ("mea", "coordinator", "staff"):
            self.authenticator(uid)
        if role == "mea":
            self.add("support.MEAProfile", user_id=uid, caseload_limit=8, how_to_reach="")
        return uid

    def authenticator(self, uid: int) -> None:
        """A TOTP authenticator, so MFA enforcement lets these people in as it would in production."""
        self.add("mfa.Authenticator", user_id=uid, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"},
                 created_at=self.now, last_used_at=None)

    def group(self, name: str) -> int:
        gid = self.ids.take("profiles.SupportGroup")
        self.add("profiles.SupportGroup", id=gid, name=name, slug=f"g{gid}", join_code=f"G{gid}", description="",
                 created_at=self.now)
        return gid

    # matches
    def match(self, mentor: int, mentee: int, group: int, mea: int | None, *, active: bool = True) -> int:
        started = self.now - timedelta(days=self.rng.randint(1, 365))
        mid = self.add(
            "matches.Match", mentor_id=mentor, mentee_id=mentee, group_id=group, mea_id=mea,
            status="active" if active else "ended", started_at=started,
            ended_at=None if active else started + timedelta(days=self.rng.randint(30, 200)),
        )
        if active:
            self.support_for(mid, mea)
        return mid

    def support_for(self, match_id: int, mea: int | None) -> None:
        rng = self.rng
        done = rng.choice((0, 1, 2, 2, 3, 3, 4, 5))
        # One match in five is due or overdue today; the rest are due within a month.
        if rng.random() < 0.2:
            next_due = self.today - timedelta(days=rng.randint(0, 20))
        else:
            next_due = self.today + timedelta(days=rng.randint(1, 30))
        last = next_due - timedelta(days=30) if done else None
        self.add(
            "support.MatchSupport", match_id=match_id, next_due=next_due, last_checkin_on=last, checkins_done=done,
            last_rating=rng.randint(1, 5) if done else None, prev_rating=rng.randint(2, 5) if done > 1 else None,
            mea_assigned_at=self.now if mea else None, mea_assigned_by_id=None,
        )
        if mea:
            for k in range(done):
                held = (last or self.today) - timedelta(days=30 * k)
                self.add(
                    "support.CheckIn", match_id=match_id, mea_id=mea, with_whom="both", held_on=held, due_on=held,
                    rating=rng.randint(2, 5), meetings_held=rng.randint(0, 4), meetings_cancelled=rng.choice((0, 0, 1)),
                    to_celebrate="", worrying="", situations=[], private_note="", created_at=self.now,
                )

    def build(self) -> None:
        n, rng = self.n, self.rng
        per_group = 40
        groups = [self.group(f"Group {i + 1}") for i in range(max(1, -(-n // per_group)))]
        for g in groups:
            self.user("coordinator", g)
        for _ in range(max(2, n // 10_000)):
            self.user("staff", groups[0])

        # MEAs per group: caseload limit 8, about 6 matches each.
        matches_in = [n // len(groups) + (1 if i < n % len(groups) else 0) for i in range(len(groups))]
        for g, count in zip(groups, matches_in, strict=True):
            meas = [self.user("mea", g) for _ in range(max(1, -(-count // 6)))]
            mentors, load = [], []
            remaining = count
            while remaining > 0:
                cap = rng.choice((1, 2, 2, 3))
                mentors.append(self.user("mentor", g))
                load.append(min(cap, remaining))
                remaining -= load[-1]
            k = 0
            for mentor, taken in zip(mentors, load, strict=True):
                for _ in range(taken):
                    mentee = self.user("mentee", g)
                    mea = meas[k % len(meas)] if rng.random() < 0.97 else None
                    self.match(mentor, mentee, g, mea)
                    k += 1
                    if len(mentors) > 1 and rng.random() < 0.25:  # an earlier, ended match of the same mentee
                        self.match(rng.choice(mentors), mentee, g, None, active=False)
            for _ in range(count // 5):  # still waiting for a mentor
                self.user("mentee", g)
        if self.with_probes:
            self.build_probes()
        self.build_requests_and_concerns()

    def build_probes(self) -> None:
        staff = self.user("staff", None, email=probe_email("staff"), name="Probe staff")
        self.probes["staff"] = staff
        for size_name, size in PROBE_SIZES.items():
            g = self.group(f"Probe {size_name}")
            coord = self.user("coordinator", g, email=probe_email(f"coordinator-{size_name}"))
            mea = self.user("mea", g, email=probe_email(f"mea-{size_name}"))
            mentor = self.user("mentor", g, email=probe_email(f"mentor-{size_name}"))
            for i in range(size):
                mentee = self.user("mentee", g, email=probe_email(f"mentee-{size_name}") if i == 0 else None)
                self.match(mentor, mentee, g, mea)
                if i == 0:
                    self.probes[f"mentee-{size_name}"] = mentee
            for _ in range(size):  # mentees waiting in the group, for the coordinator's board
                self.user("mentee", g)
            self.probes.update({f"coordinator-{size_name}": coord, f"mea-{size_name}": mea, f"mentor-{size_name}": mentor})

    def build_requests_and_concerns(self) -> None:
        active = [m for m in self.rows.get("matches.Match", []) if m["status"] == "active"]
        for m in active:
            if m["mea_id"] and self.rng.random() < 0.05:
                self.add(
                    "support.CheckInRequest", match_id=m["id"], asked_by_id=m["mea_id"],
                    respondent_id=m["mentor_id"] if self.rng.random() < 0.5 else m["mentee_id"], status="pending",
                    created_at=self.now - timedelta(days=self.rng.randint(0, 5)), answered_at=None, read_at=None,
                    rating=None, meetings_held=None, meetings_cancelled=None, to_celebrate="", worrying="", situations=[],
                )
        self.build_concerns(active)

    def build_concerns(self, active: list[dict]) -> None:
        """Concern reports on ~5% of matches: mostly tier 1, a few staff and emergency, most resolved."""
        rng, now = self.rng, self.now
        probe_staff = self.probes.get("staff")
        for m in active:
            if rng.random() >= self.concern_rate:
                continue
            situation = rng.choices(SITUATIONS, weights=[30 if s.tier == 1 else 3 if s.tier == 2 else 1 for s in SITUATIONS])[0]
            tier, kind = int(situation.tier), str(situation.kind)
            about = rng.choice(("mentee", "mentee", "mentor"))
            status = rng.choice(("resolved", "resolved", "resolved", "open", "acknowledged", "in_progress"))
            created = now - timedelta(days=rng.randint(0, 180), hours=rng.randint(0, 23))
            escalated = tier > 1 or rng.random() < 0.1
            cid = self.add(
                "escalations.Concern", reporter_id=m["mentor_id"] if about == "mentee" else m["mentee_id"], match_id=m["id"],
                about=about, situations=[situation.key], details="(generated)", source="portal", tier=tier, kind=kind,
                routed_to_mea_id=m["mea_id"] if kind in ("mea", "monitor", "emergency") else None,
                escalated_to_staff=escalated, escalated_at=created if escalated else None, routing_reasons=[],
                status=status, assigned_to_id=probe_staff if escalated and status != "open" else None,
                deadlines={"1": 48, "2": 24, "3": 1}, ack_deadline=created + timedelta(hours=48 if tier == 1 else 24),
                acknowledged_at=None if status == "open" else created + timedelta(hours=5), resends=0,
                all_staff_notified_at=None, resolved_at=created + timedelta(days=3) if status == "resolved" else None,
                outcome="Talked it through." if status == "resolved" else "", created_at=created,
            )
            self.add("escalations.ConcernEvent", concern_id=cid, actor_id=None, what="raised", note="", created_at=created)
            if status != "open":
                self.add("escalations.ConcernEvent", concern_id=cid, actor_id=probe_staff, what="acknowledged", note="",
                         created_at=created + timedelta(hours=5))

    def write(self, *, truncate: bool = True) -> dict[str, int]:
        with transaction.atomic(), connection.cursor() as cursor:
            if truncate:
                truncate_all(cursor)
            copy = Copier(cursor)
            order = [label for label in self.rows]  # insertion order follows foreign keys
            for label in order:
                model = apps.get_model(label)
                rows = self.rows[label]
                for i in range(0, len(rows), 50_000):
                    copy(model, rows[i:i + 50_000])
            touched = [apps.get_model(label) for label in order]
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)
            if truncate:
                cursor.execute("ANALYZE")
            return copy.counts
