#!/usr/bin/env bash
# Serve the portal with a Celery worker and beat. One Ctrl-C (or SIGTERM to this
# script) stops all three; if any one of them dies, the others are stopped too.
set -uo pipefail
cd "$(dirname "$0")/.."
stop() { trap - INT TERM EXIT; kill 0 2>/dev/null; }
trap stop INT TERM EXIT
.venv/bin/celery -A mentorship worker --loglevel=INFO --concurrency=2 &
.venv/bin/celery -A mentorship beat --loglevel=INFO &
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}" &
# Background jobs + wait: bash handles the signal at once instead of after runserver exits.
wait -n
