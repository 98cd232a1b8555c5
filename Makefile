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

# Every command that touches the database runs under `mentorship.devdb run`: DATABASE_URL
# when set (its database created when missing), else the embedded PostgreSQL in var/postgres,
# started for the command and stopped after it (mentorship/devdb.py).
DEVDB := $(PY) -m mentorship.devdb run --

migrate: install
	$(DEVDB) $(PY) manage.py migrate --noinput

seed: install
	$(DEVDB) sh -c '$(PY) manage.py migrate --noinput && $(PY) manage.py seed_demo'

## Set up, migrate, seed the demo program and serve it at http://127.0.0.1:$${PORT:-8000}
## with a Celery worker and beat (scripts/run.sh). PORT picks the port.
run: install
	$(DEVDB) ./scripts/run.sh

## Set up and run the whole test suite: on DATABASE_URL, else the embedded PostgreSQL;
## on CELERY_BROKER_URL or a local Redis when one answers, else the Redis tests are skipped.
test: install
	@eval "$$($(PY) scripts/test_services.py)"; \
	echo "DATABASE_URL=$${DATABASE_URL:-embedded PostgreSQL (var/postgres)}  CELERY_BROKER_URL=$${CELERY_BROKER_URL:-embedded}"; \
	[ -n "$${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  echo "Chromium not found: the browser suite (tests/browser) is skipped. Get it with: sudo apt-get install chromium"; \
	$(DEVDB) $(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	echo "Browser screenshots (phone 390 px and desktop 1280 px): $(CURDIR)/test-artifacts/screenshots/"; \
	exit $$status

## Static analysis (CI runs it before the tests): ruff, bandit (no high-severity finding),
## migrations in step with models, installed packages consistent (`pip check`).
## pip-audit needs the network (PyPI/OSV vulnerability database) and is not run
## here: CI has no network. Review it where there is one: `pip-audit -r requirements.txt`.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r mentorship profiles privacy notifications audit matches meetings support escalations community -x '*/tests/*' -lll
	$(DEVDB) $(PY) manage.py makemigrations --check --dry-run
	$(PIP) check

## Benchmarks on their own database (<DATABASE_URL name>_bench, on the embedded PostgreSQL when
## DATABASE_URL is unset) and Redis db 15: writes docs/PERFORMANCE.md and prints it.
bench: install
	@command -v wrk >/dev/null || { echo "make bench loads the pages with wrk: sudo apt-get install wrk"; exit 1; }
	@eval "$$($(PY) scripts/test_services.py)"; $(DEVDB) $(PY) -m bench $(BENCH_ARGS)

## Stop the embedded PostgreSQL if it runs, and delete var/ (its data, the broker's queue, mail).
clean:
	test ! -x $(PY) || $(PY) -m mentorship.devdb stop
	rm -rf var staticfiles
