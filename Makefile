# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install migrate seed lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Set up, seed the demo program and serve it at http://127.0.0.1:8000 with a Celery worker and beat.
run: seed
	./scripts/run.sh

## Set up and run the whole test suite (Postgres/Redis when they answer, else SQLite with those tests skipped).
test: install
	@eval "$$($(PY) scripts/test_services.py)"; \
	echo "DATABASE_URL=$${DATABASE_URL:-sqlite (default)}  CELERY_BROKER_URL=$${CELERY_BROKER_URL:-embedded}"; \
	[ -n "$${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  echo "Chromium not found: the browser suite (tests/browser) is skipped. Get it with: sudo apt-get install chromium"; \
	$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	echo "Browser screenshots (phone 390 px and desktop 1280 px): $(CURDIR)/test-artifacts/screenshots/"; \
	exit $$status

## Static analysis (CI runs it before the tests): ruff, bandit (no high-severity finding),
## migrations in step with models, installed packages consistent (`pip check`).
## pip-audit needs the network (PyPI/OSV vulnerability database) and is not run
## here: CI has no network. Review it where there is one: `pip-audit -r requirements.txt`.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r mentorship profiles matches support escalations community -x '*/tests/*' -lll
	$(PY) manage.py makemigrations --check --dry-run
	$(PIP) check

## Benchmarks on their own database (<DATABASE_URL name>_bench) and Redis db 15: writes docs/PERFORMANCE.md and prints it.
bench: install
	@eval "$$($(PY) scripts/test_services.py)"; $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var staticfiles
