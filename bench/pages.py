"""Page throughput: gunicorn (production settings, sync workers) loaded by wrk.

One gunicorn serves everything (bench.wsgi): the raw WSGI callable, the bare
Django view, and the real pages, each requested with the session cookie of the
person whose page it is (sessions are created directly with the configured
session store for the probe people of bench.datagen; production settings
with CACHE_URL on the bench's Redis db, so sessions are cached as in production). Each round runs every target once, one
after the other; the figure for a target is the median over rounds, with the
spread (min-max), and its ratio to the bare view is the median of the
per-round ratios, so a slow patch of the machine hits both sides.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from mentorship.sample_program import probe_email

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk_report.lua"


@dataclass
class Target:
    key: str
    label: str
    path: str | None
    who: str | None = None  # probe name, None = anonymous
    limit: str = ""  # the target, in words
    min_ratio: float | None = None
    group: str = "page"
    note: str = ""
    cookie: str = field(default="", repr=False)
    queries: int | None = None
    status: int | None = None
    body_bytes: int | None = None


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def staff_changelist_path() -> tuple[str | None, str]:
    """The admin changelist of the escalation reports (whatever the model is called)."""
    from django.contrib import admin

    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label == "escalations" and any(w in meta.model_name for w in ("concern", "report")):
            return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), meta.label
    return None, "no escalation report model registered in the admin yet"


def targets() -> list[Target]:
    changelist, what = staff_changelist_path()
    t = [
        Target("raw", "raw WSGI callable (limit)", "/bench/raw/", group="limit"),
        Target("bare", "bare Django view (limit)", "/bench/bare/", group="limit"),
        Target("bare_signed_in", "bare Django view, signed in", "/bench/bare/", who="mentor-small", group="limit",
               note="same view with a session cookie: session + user lookup"),
        Target("layout_signed_in", "layout only, signed in (limit)", "/bench/layout/", who="mea-small", group="limit",
               note="base.html around an empty body, for the MEA: the ceiling of any page a signed-in person sees"),
        Target("emergency", "emergency guidance /help/", _url("emergency"), limit="≥ 50% of bare", min_ratio=0.5),
        Target("mentor_home", "mentor home", _url("matches:mentor_home"), who="mentor-small"),
        Target("mea_dashboard", "MEA dashboard", _url("support:mea_home"), who="mea-small",
               limit="≥ 10% of bare", min_ratio=0.10),
        Target("pairing_board", "coordinator pairing board", _url("matches:coordinator_home"), who="coordinator-small",
               limit="≥ 10% of bare", min_ratio=0.10),
        Target("staff_changelist", "staff escalation changelist (admin)", changelist, who="staff", note=what),
    ]
    for key, label, name, who in (
        ("mentor_home", "mentor home", "matches:mentor_home", "mentor"),
        ("mea_dashboard", "MEA dashboard", "support:mea_home", "mea"),
        ("pairing_board", "coordinator pairing board", "matches:coordinator_home", "coordinator"),
    ):
        t.append(Target(f"{key}_large", f"{label}, 2,000 rows", _url(name), who=f"{who}-large", group="scale"))
    return t


def make_sessions(needed: set[str]) -> dict[str, str]:
    """A signed-in session per probe person, written straight to the session store."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806 - as production stores them

    from profiles.models import User

    keys = {}
    for who in needed:
        user = User.objects.get(email=probe_email(who))
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "mentorship.security.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[who] = store.session_key
    return keys


def check_targets(ts: list[Target]) -> None:
    """Each page answers 200 for its person; count its queries (in-process, same settings)."""
    for t in ts:
        if not t.path:
            continue
        client = Client(raise_request_exception=False)
        if t.who:
            client.cookies[settings.SESSION_COOKIE_NAME] = t.cookie.split("=", 1)[1]
        if t.key == "raw":
            t.queries, t.status = 0, 200
            continue
        client.get(t.path)  # the first request also fills the session cache and the program settings' memo
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(t.path)
        t.status, t.queries, t.body_bytes = response.status_code, len(ctx.captured_queries), len(response.content)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"), "bench.wsgi:application", "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/raw/", timeout=2).read()
            return proc
        except (urllib.error.URLError, ConnectionError, OSError):
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited at start") from None
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def collectstatic() -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})


def wrk(url: str, cookie: str, duration: float, connections: int) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", "--timeout", "10s", "-s", str(LUA)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCHJSON "))
    r = json.loads(line.split(" ", 1)[1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = sum(r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return r


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run(duration: float = 5.0, rounds: int = 3, workers: int = 2, connections: int = 4) -> dict:
    ts = [t for t in targets()]
    missing = [t for t in ts if not t.path]
    ts = [t for t in ts if t.path]
    sessions = make_sessions({t.who for t in ts if t.who})
    for t in ts:
        if t.who:
            t.cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[t.who]}"
    collectstatic()
    check_targets(ts)
    broken = [t for t in ts if t.status != 200]
    ts = [t for t in ts if t.status == 200]

    port = free_port()
    server = start_gunicorn(port, workers)
    base = f"http://127.0.0.1:{port}"
    runs: dict[str, list[dict]] = {t.key: [] for t in ts}
    try:
        for t in ts:  # warm up: templates compiled, connections open, caches filled
            wrk(base + t.path, t.cookie, 1, connections)
        for r in range(rounds):
            order = ts[r % len(ts):] + ts[: r % len(ts)]  # rotate so no target always runs first
            for t in order:
                runs[t.key].append(wrk(base + t.path, t.cookie, duration, connections))
                print(f"round {r + 1}/{rounds} {t.key}: {runs[t.key][-1]['rps']:.0f} req/s", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(30)

    results = {}
    for t in ts:
        rr = runs[t.key]
        row = {
            "label": t.label, "path": t.path, "who": t.who, "group": t.group, "limit": t.limit, "min_ratio": t.min_ratio,
            "note": t.note, "queries": t.queries, "body_bytes": t.body_bytes,
            "rps": _spread([x["rps"] for x in rr]),
            "p50_ms": statistics.median(x["p50_us"] for x in rr) / 1000,
            "p95_ms": statistics.median(x["p95_us"] for x in rr) / 1000,
            "p99_ms": statistics.median(x["p99_us"] for x in rr) / 1000,
            "errors": sum(x["errors"] for x in rr),
            "ratio_to_bare": _spread([x["rps"] / b["rps"] for x, b in zip(rr, runs["bare"], strict=True)]),
        }
        large = runs.get(f"{t.key}_large")
        if large:
            row["scale_ratio"] = _spread([lg["rps"] / x["rps"] for lg, x in zip(large, rr, strict=True)])
        results[t.key] = row
    from bench.report import machine

    return {
        "duration_s": duration, "rounds": rounds, "gunicorn_workers": workers, "wrk_connections": connections,
        "program": program_size(), "machine": machine(), "load_average": list(os.getloadavg()),
        "targets": results,
        "not_measured": [{"key": t.key, "label": t.label, "why": t.note or "page not built yet"} for t in missing]
        + [{"key": t.key, "label": t.label, "why": f"answered {t.status} for {t.who}"} for t in broken],
    }


def program_size() -> dict:
    from matches.models import Match

    return {"matches": Match.objects.count(), "active_matches": Match.objects.active().count()}
