#!/usr/bin/env bash
# `make run`: migrate, seed the demo program, then serve it with a Celery worker and beat.
# One Ctrl-C (or SIGTERM to this script, or to `make run`) stops all three within a few
# seconds; if any one of them dies, the others are stopped too. PORT picks the port
# (8000), HOST the address (127.0.0.1). DATABASE_URL is set by `mentorship.devdb run`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py seed_demo

set +e -m  # -m: each process below gets its own process group, signalled as one
pids=()
stop() {
  # A second signal (Ctrl-C twice, or SIGTERM to the whole group and again from
  # `mentorship.devdb run`) must not cut this short and leave a process behind.
  trap '' INT TERM
  trap - EXIT
  # Warm shutdown first (the worker finishes the task in hand), then the group is killed.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    alive=
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  # Whatever is left after 5 s (a worker's pool, runserver's reloader child): killed.
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  exit 0
}
trap stop INT TERM EXIT
.venv/bin/celery -A mentorship worker --loglevel=INFO --concurrency=2 &
pids+=($!)
.venv/bin/celery -A mentorship beat --loglevel=INFO &
pids+=($!)
$PY manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}" &
pids+=($!)
# Background jobs + wait: bash handles the signal at once instead of after runserver exits.
wait -n
