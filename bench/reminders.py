"""Reminder fan-out: one beat run through a real Celery worker on Redis to a local SMTP sink.

For each program size: generate the program (bench.datagen), move every
person's time zone to one where it is now mid-afternoon (so every due reminder
may go out now, instead of a share that depends on the hour the benchmark
runs), start an aiosmtpd sink and `celery -A bench.celery_app worker` (the
project's tasks, prefork, one process per core, production settings), send
`support.tasks.reminders_scan` once as beat would, and wait until every due
reminder is sent and every email has reached the sink.

Reported: reminders per second end to end (scan sent → last email accepted by
the sink), broker messages published per reminder (counted by the worker's
before_task_publish signal), SMTP connections per email, database connections
opened, and the worker's peak memory (sum of the resident sets of the worker's
processes, sampled every 100 ms).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Sink:
    """An SMTP server that accepts and counts: connections, messages."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.connections = 0
        self.messages = 0
        self.last_at = 0.0
        sink = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                sink.connections += 1
                session.host_name = hostname
                return responses

            async def handle_HELO(self, server, session, envelope, hostname):
                sink.connections += 1
                session.host_name = hostname
                return "250 sink"

            async def handle_DATA(self, server, session, envelope):
                sink.messages += 1
                sink.last_at = time.monotonic()
                return "250 OK"

        from bench.pages import free_port

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(x) for x in text.split()]
    return kids + [g for k in kids for g in _children(k)]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.peak_single_kb, self.stop = pid, 0, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            sizes = [_rss_kb(p) for p in [self.pid, *_children(self.pid)]]
            self.peak_kb = max(self.peak_kb, sum(sizes))
            self.peak_single_kb = max(self.peak_single_kb, max(sizes, default=0))
            time.sleep(0.1)


def afternoon_zone(now: datetime) -> str:
    """An Etc/GMT zone where it is about 14:00 now (inside the default 09:00-20:00 waking hours)."""
    offset = (14 - now.hour) % 24
    if offset > 12:
        offset -= 24
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def start_worker(env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker", "--pool=prefork",
           f"--concurrency={os.cpu_count() or 2}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
           "--without-heartbeat"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if "ready." in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    from mentorship.celery import app

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not ready.is_set():
        if proc.poll() is not None:
            raise SystemExit("celery worker exited:\n" + "".join(lines[-30:]))
        try:
            if app.control.ping(timeout=0.5):
                break
        except Exception:  # noqa: BLE001, S110 - not up yet
            pass
        time.sleep(0.5)
    proc.output = lines
    return proc


def run_one(n_matches: int, timeout: float = 240) -> dict:
    import redis
    from django.db.models import Count
    from django.utils import timezone

    from bench import datagen
    from bench.celery_app import COUNTS_KEY
    from mentorship.celery import app
    from notifications.models import Delivery
    from profiles.models import Profile
    from support.models import Reminder

    gen = datagen.generate(n_matches)
    zone = afternoon_zone(datetime.now(UTC))
    Profile.objects.update(time_zone=zone)
    r = redis.Redis.from_url(app.conf.broker_url)
    app.control.purge()
    r.delete(COUNTS_KEY)

    with Sink() as sink:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
               "CELERY_TASK_ALWAYS_EAGER": "false",
               # The worker keeps its database connections across tasks, as in production.
               "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60")}
        worker = start_worker(env)
        sampler = MemorySampler(worker.pid)
        sampler.start()
        try:
            t0, sent_at, t0_wall = time.monotonic(), time.time(), timezone.now()
            app.send_task("support.tasks.reminders_scan")
            done_at, status = None, "budget reached"
            while time.monotonic() - t0 < timeout:
                time.sleep(0.5)
                if worker.poll() is not None:
                    status = "worker died"
                    break
                # Every message published (the scan, its batches, their deliveries) has finished running:
                # counting "started" or the queue's length would stop the clock while prefetched batches wait.
                counts = {k.decode(): int(v) for k, v in r.hgetall(COUNTS_KEY).items()}
                published = sum(v for k, v in counts.items() if k.startswith("published:"))
                finished = sum(v for k, v in counts.items() if k.startswith("finished:"))
                if not counts.get("finished:support.tasks.reminders_scan") or finished < published:
                    continue
                pending_due = Reminder.objects.filter(status=Reminder.Status.PENDING, not_before__lte=timezone.now()).count()
                emails = Delivery.objects.count()
                unsent = Delivery.objects.filter(status=Delivery.Status.PENDING).count()
                if Reminder.objects.exists() and pending_due == 0 and unsent == 0 and sink.messages >= emails:
                    done_at, status = sink.last_at or time.monotonic(), "done"
                    break
            if done_at is None:
                # Budget spent: measure what got through (the rate is sustained by then; the scan is long done).
                done_at = time.monotonic()
            sampler.stop.set()
            sampler.join()
        finally:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()

    counts = {k.decode(): int(v) for k, v in r.hgetall(COUNTS_KEY).items()}
    by_status = dict(Reminder.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_kind = dict(Reminder.objects.filter(status="sent").values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    sent = by_status.get("sent", 0)
    # Every reminder that was due is claimed (sent or skipped), though the budget may end delivery first.
    claims_done = not Reminder.objects.filter(status=Reminder.Status.PENDING, not_before__lte=t0_wall).exists()
    # The scan's own message is counted where it is sent (this process imports bench.celery_app too).
    published = sum(v for k, v in counts.items() if k.startswith("published:"))
    elapsed = done_at - t0
    delivered = sink.messages
    return {
        "matches": n_matches,
        "program_rows": gen["total_rows"],
        "datagen": {k: v for k, v in gen.items() if k != "probes"},
        "status": status,
        "claims_done": claims_done,
        "reminders": by_status,
        "sent_by_kind": by_kind,
        "emails_at_sink": sink.messages,
        "smtp_connections": sink.connections,
        "budget_seconds": timeout,
        "seconds": round(elapsed, 2),
        "reminders_per_second": round(delivered / elapsed, 1) if delivered else None,
        "projected_seconds_for_all": round(sum(by_status.values()) / (delivered / elapsed), 1) if delivered else None,
        "broker_messages": published,
        "broker_messages_by_task": {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("published:")},
        "broker_messages_per_reminder": round(published / sent, 3) if sent else None,
        "smtp_connections_per_email": round(sink.connections / sink.messages, 3) if sink.messages else None,
        "db_connections_opened": counts.get("db_connections_opened", 0),
        "tasks_run": {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("ran:")},
        # Where the time goes: each task's busy seconds summed over the worker processes, and its span
        # (first start to last end) measured from the moment the scan was sent.
        "task_busy_seconds": {k.split(":", 1)[1]: round(v / 1000, 2) for k, v in counts.items()
                              if k.startswith("busy_ms:")},
        "task_span_seconds": {
            name: [round(counts[f"first_start:{name}"] / 1000 - sent_at, 2),
                   round(counts[f"last_end:{name}"] / 1000 - sent_at, 2)]
            for name in {k.split(":", 1)[1] for k in counts if k.startswith("first_start:")}
        },
        "worker_processes": (os.cpu_count() or 2) + 1,
        "peak_rss_mb": round(sampler.peak_kb / 1024, 1),
        "peak_rss_single_process_mb": round(sampler.peak_single_kb / 1024, 1),
        "time_zone_used": zone,
        "worker_log_tail": [ln.rstrip() for ln in worker.output[-5:]] if status != "done" else [],
    }


_SMTP_CLIENT = """
import smtplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
message = b"Subject: A check-in is due\\r\\nTo: p@bench.invalid\\r\\n\\r\\n" + b"x" * 800 + b"\\r\\n"
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for i in range(n):
        smtp.sendmail("no-reply@localhost", [f"p{i}@bench.invalid"], message)
"""


def sink_capacity(clients: int = 4, per_client: int = 1000) -> dict:
    """What the sink alone takes: ready-made messages from `clients` processes, no database, no rendering.

    The ceiling any delivery could reach on this machine at this moment, for reading the end-to-end figure.
    The clients are fresh interpreters (not forks of this process, whose threads' locks a fork could inherit).
    """
    with Sink() as sink:
        t0 = time.monotonic()
        procs = [subprocess.Popen([sys.executable, "-c", _SMTP_CLIENT, str(sink.port), str(per_client)])
                 for _ in range(clients)]
        for p in procs:
            try:
                p.wait(max(0.1, t0 + 120 - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        elapsed = time.monotonic() - t0
    return {"clients": clients, "messages": sink.messages, "seconds": round(elapsed, 2),
            "messages_per_second": round(sink.messages / elapsed, 1)}


def run(sizes: list[int], budget: float = 240) -> dict:
    results = [run_one(n, budget) for n in sizes]
    out = {"runs": results, "sink_capacity": sink_capacity(), "load_average": list(os.getloadavg())}
    by_size = {x["matches"]: x for x in results}
    if len(results) >= 2:
        small, large = results[0], results[-1]
        if small["peak_rss_mb"] and large["peak_rss_mb"]:
            out["memory_ratio"] = round(large["peak_rss_mb"] / small["peak_rss_mb"], 3)
            out["memory_ratio_sizes"] = [small["matches"], large["matches"]]
    out["delivery"] = describe_delivery(by_size)
    return out


def describe_delivery(by_size: dict) -> str:
    """How the project's reminder delivery is shaped, read from the counters."""
    run = next(iter(by_size.values()), None)
    if not run or not run.get("broker_messages_by_task"):
        return ""
    smtp = run.get("smtp_connections_per_email") or 0
    if smtp >= 0.9:
        return "Delivery is per reminder: about one SMTP connection per email."
    from notifications.delivery import CONNECTIONS, MARK_EVERY, PER_CONNECTION_MIN
    from notifications.tasks import PER_TASK

    return (f"Delivery is batched: each `notifications.tasks.deliver_batch` task sends up to {PER_TASK} emails "
            f"over up to {CONNECTIONS} SMTP connections side by side (at least {PER_CONNECTION_MIN} emails each) with "
            f"Django's `send_messages()`, marking the accepted ones sent {MARK_EVERY} at a time.")
