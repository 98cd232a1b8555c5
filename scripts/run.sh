#!/usr/bin/env bash
# Serve the portal with a Celery worker and beat; one Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
.venv/bin/celery -A mentorship worker --loglevel=INFO --concurrency=2 &
.venv/bin/celery -A mentorship beat --loglevel=INFO &
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
