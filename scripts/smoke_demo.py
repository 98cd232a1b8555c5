"""Smoke test of the README's first command: the demo serves every role without a server error.

    .venv/bin/python scripts/smoke_demo.py              # start what `make run` starts, crawl, stop
    .venv/bin/python scripts/smoke_demo.py --url URL    # crawl a server that is already running

With DATABASE_URL, CELERY_BROKER_URL and CACHE_URL removed from its environment (so
the embedded PostgreSQL and the filesystem broker are used, as on a fresh clone), it
runs `make run`'s own command (`mentorship.devdb run -- scripts/run.sh`: migrate,
seed_demo, server, worker, beat) on a free port, signs in as each demo role and walks
every same-site link reachable from that role's home with GET, breadth first, up to
--max-pages per role. Any 5xx (or a page that does not answer) fails it. Sign-out
links and the admin's delete links are not followed. Everything it started is
stopped at the end. `.ci/run` runs it after `make test`.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-mentorship-2026"  # noqa: S105 - the demo's published password (profiles/demo.py)
ROLES = {
    "mentee": "mentee@example.org",
    "mentor": "mentor@example.org",
    "MEA": "mea.alex@example.org",
    "coordinator": "coordinator@example.org",
    "staff": "dana.director@example.org",
}
# Links that end the session or lead to a confirmation that deletes: not followed.
SKIP = re.compile(r"logout|log-out|sign-?out|/delete/|/static/|/media/", re.IGNORECASE)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value") or ""


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) — a 4xx/5xx answer is returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310 - our own server
        try:
            with self.opener.open(request, timeout=60) as response:
                kind = response.headers.get_content_type()
                text = response.read().decode("utf-8", "replace") if kind == "text/html" else ""
                return response.status, response.url, text
        except urllib.error.HTTPError as err:
            return err.code, err.url or url, ""

    def sign_in(self, email: str) -> tuple[int, str]:
        """(status, URL) of the page signing in lands on (the role's home)."""
        status, url, html = self.open(f"{self.base}/accounts/login/")
        parser = Links()
        parser.feed(html)
        if status != 200 or not parser.csrf:
            return status, url
        status, url, html = self.open(url, {"csrfmiddlewaretoken": parser.csrf, "login": email, "password": PASSWORD})
        if status < 500 and "/accounts/login/" in url:
            raise SystemExit(f"smoke: signing in as {email} failed ({status}, ended at {url})")
        return status, url


def same_site(base: str, page: str, href: str) -> str | None:
    url, _fragment = urllib.parse.urldefrag(urllib.parse.urljoin(page, href.strip()))
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return None if SKIP.search(parts.path) else url


def crawl(base: str, role: str, email: str, max_pages: int) -> tuple[int, list[str]]:
    browser = Browser(base)
    status, home = browser.sign_in(email)
    if status >= 500:
        return 1, [f"{role}: signing in -> {status} at {home}"]
    seen, queue, errors = {home}, deque([home]), []
    visited = 0
    while queue and visited < max_pages:
        page = queue.popleft()
        status, final, html = browser.open(page)
        visited += 1
        if status >= 500:
            errors.append(f"{role}: GET {page} -> {status}")
            continue
        if "/accounts/login/" in final and "/accounts/login/" not in page:
            errors.append(f"{role}: signed out after GET {page}")
            break
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            url = same_site(base, final, href)
            if url and url not in seen:
                seen.add(url)
                queue.append(url)
    return visited, errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"smoke: `make run`'s command exited with {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own server
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"smoke: nothing answered at {url} within {timeout:.0f} s")


def start(port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
    env.update(PORT=str(port), HOST="127.0.0.1", PYTHONUNBUFFERED="1")
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-m", "mentorship.devdb", "run", "--", "./scripts/run.sh"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - our own script


def stop(proc: subprocess.Popen, timeout: float = 20) -> float:
    began = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise SystemExit(f"smoke: `make run`'s command did not stop within {timeout:.0f} s of SIGTERM") from None
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="crawl this running server instead of starting one")
    parser.add_argument("--max-pages", type=int, default=400, help="pages per role (default 400)")
    parser.add_argument("--start-timeout", type=float, default=600)
    args = parser.parse_args()

    proc = None
    base = (args.url or "").rstrip("/")
    if not base:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start(port)
    try:
        if proc:
            wait_for(f"{base}/accounts/login/", proc, args.start_timeout)
        pages, errors = 0, []
        for role, email in ROLES.items():
            visited, role_errors = crawl(base, role, email, args.max_pages)
            print(f"smoke: {role} ({email}): {visited} pages, {len(role_errors)} errors", flush=True)
            pages += visited
            errors += role_errors
    finally:
        stopped_in = stop(proc) if proc else None
    for error in errors:
        print(f"smoke: ERROR {error}")
    tail = f"; stopped in {stopped_in:.1f} s" if stopped_in is not None else ""
    print(f"smoke: {len(ROLES)} roles, {pages} pages, {len(errors)} errors{tail}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
