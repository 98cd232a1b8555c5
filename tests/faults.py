"""Real faults for tests/test_faults_*.py: a Redis of our own that a test stops
and starts, a Celery worker process it can SIGKILL, and a fake SMTP server (the
outer edge we fake) that records what it accepted and can hold a message
mid-DATA so a worker dies in the middle of sending it.

Never the shared Redis on 6379: other test runs use it. The spare Redis has no
persistence, like a Redis restarted after a crash with its queue lost.
"""

import email
import os
import shutil
import signal
import socket
import socketserver
import subprocess  # noqa: S404 - we start redis-server and celery ourselves
import sys
import tempfile
import threading
from collections import Counter
from contextlib import nullcontext

import pytest
from django.conf import settings
from kombu import pools

from conftest import test_database_url, wait_until
from mentorship.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SpareRedis:
    """A redis-server on a free port, started and stopped by the test."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="faults-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        if not wait_until(lambda: _pings(client), timeout=10, interval=0.05):
            pytest.fail("spare redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # as a crash: no goodbye to the clients
            self.proc.wait(10)
        self.proc = None

    def queued(self) -> int:
        import redis

        client = redis.Redis(port=self.port)
        return client.llen("celery") + client.llen("email") + client.llen("bulk")


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


def publish_to(url: str):
    """Make this process's Celery app publish to `url` (not eagerly); returns an undo.

    Celery keeps the producers of the broker it first published to, so changing the
    URL alone would change nothing: while this lasts, the app's public
    `producer_or_acquire` (every task publish goes through it) hands out producers
    from kombu's pool for `url` (kombu.pools.producers, keyed by the connection).
    The live pools are left as they are, for the tests that follow.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.get("broker_write_url"), conf.get("broker_read_url")
    conf.task_always_eager = False
    # The write/read URLs, not `broker_url`: Celery reads a CELERY_BROKER_URL
    # environment variable before `broker_url`, so setting that changed nothing in CI.
    conf.broker_write_url = conf.broker_read_url = url
    producers = pools.producers[celery_app.connection_for_write(url)]

    def producer_or_acquire(producer=None):
        return nullcontext(producer) if producer is not None else producers.acquire(block=True)

    patch = pytest.MonkeyPatch()
    patch.setattr(celery_app, "producer_or_acquire", producer_or_acquire)

    def undo():
        patch.undo()
        conf.task_always_eager, conf.broker_write_url, conf.broker_read_url = saved

    return undo


def point_celery_at(url: str):
    """Point this process's Celery app (and the health check) at `url`; returns an undo."""
    saved = settings.CELERY_BROKER_URL
    undo_publish = publish_to(url)
    settings.CELERY_BROKER_URL = url

    def undo():
        settings.CELERY_BROKER_URL = saved
        undo_publish()

    return undo


class FakeSMTP:
    """An SMTP server in a thread. A message counts as delivered only when the
    server answered 250 to its DATA, as with a real one. With `hold_nth=n` the
    n-th message is held: its DATA is read and never answered, `held` is set,
    and the message is dropped when the client's connection dies. With
    `refusing` set, every message is refused with a temporary error."""

    def __init__(self, hold_nth: int = 0):
        self.accepted: list[tuple[str, str]] = []  # (recipient, subject)
        self.dropped: list[tuple[str, str]] = []
        self.hold_nth = hold_nth
        self.seen = 0
        self.refusing = False  # True: every message gets `refuse_with`
        self.refuse_with = "451 try again later"  # or "554 transaction failed": a permanent-looking refusal
        self.refused = 0
        self.held = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 fake ESMTP")
                rcpts: list[str] = []
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.reply("250-fake")
                        self.reply("250 8BITMIME")
                    elif verb == b"MAIL":
                        rcpts = []
                        self.reply("250 ok")
                    elif verb == b"RCPT":
                        rcpts.append(line.split(b":", 1)[1].strip().strip(b"<>").decode())
                        self.reply("250 ok")
                    elif verb == b"DATA":
                        self.reply("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                            data += chunk
                        subject = str(email.message_from_bytes(data).get("Subject", ""))
                        if not chunk:
                            return
                        if fake.refusing:
                            with fake.lock:
                                fake.refused += 1
                            self.reply(fake.refuse_with)
                            continue
                        if fake.take_hold():
                            fake.held.set()
                            while self.rfile.readline():  # until the client dies
                                pass
                            with fake.lock:
                                fake.dropped += [(r, subject) for r in rcpts]
                            return
                        with fake.lock:
                            fake.accepted += [(r, subject) for r in rcpts]
                        self.reply("250 accepted")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # HELO, RSET, NOOP
                        self.reply("250 ok")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take_hold(self) -> bool:
        with self.lock:
            self.seen += 1
            return self.seen == self.hold_nth

    def received(self) -> Counter:
        """How many times each recipient was sent each subject."""
        with self.lock:
            return Counter(self.accepted)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Worker:
    """A real Celery worker process (the project's app) on the spare Redis and the test database."""

    def __init__(self, broker_url: str, email_url: str, **extra_env: str):
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": email_url,
            "SITE_URL": "http://testserver",
            **extra_env,
        }
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "celery", "-A", "mentorship", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output: list[str] = []
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.output.append(line)
                if "ready." in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            self.stop()
            pytest.fail("Celery worker did not start:\n" + self.log())

    def log(self, lines: int = 40) -> str:
        return "".join(self.output[-lines:])

    def finished(self, *results) -> bool:
        """Whether every one of these queued tasks (AsyncResults) has run to its end here.

        The worker runs one task at a time, in the order queued (--pool=solo), and
        logs each task's end with its id ("Task name[id] succeeded ...")."""
        done = "".join(self.output)
        return all(f"[{r.id}] succeeded" in done or f"[{r.id}] raised" in done for r in results)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, as when the machine loses the process."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class FakeWebhook:
    """A chat webhook endpoint (the outer edge we fake). A post counts once it
    was answered 200. With `hold=1` the first post is read and never answered:
    `held` is set, and the post is dropped when the client's connection dies."""

    def __init__(self, hold: int = 0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.accepted: list[bytes] = []
        self.hold = hold
        self.held = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with fake.lock:
                    hold = fake.hold > 0
                    fake.hold -= hold
                if hold:
                    fake.held.set()
                    while self.rfile.read(1):  # until the client dies
                        pass
                    return
                with fake.lock:
                    fake.accepted.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
