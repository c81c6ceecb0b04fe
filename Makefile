# Two commands for a newcomer: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NHSUK_VERSION ?= 10.6.1
ADDRPORT ?= 127.0.0.1:8000

.PHONY: run test test-fast lint audit format check-migrations static faults restore-drill bench bench-outbox clean help

help:
	@echo "make run    - install, migrate, load demo data and run the web app with a Celery worker and beat"
	@echo "make test   - run the whole test suite (browser tests need Debian's chromium)"
	@echo "make lint   - ruff, the layers (import-linter), module size, scoped queries and the migrations check"
	@echo "make faults - the outbox fault tests: kill and restart real Celery workers, Redis and beat (needs PostgreSQL and redis-server)"
	@echo "make bench  - time each role's busiest pages over HTTP (gunicorn, DEBUG off, MFA on) on DATABASE_URL's PostgreSQL, seeded to SCALE=10000 reviews"
	@echo "make restore-drill - dump a scratch PostgreSQL database, restore it, replay the restore ledger; PASS or FAIL per check"
	@echo "make bench-outbox - deliver MESSAGES=10000 due messages with one worker on DATABASE_URL's database; prints messages per second"
	@echo "make audit  - pip-audit of the installed packages against known vulnerabilities"
	@echo "make static - refresh the committed NHS.UK frontend files from npm (NHSUK_VERSION=$(NHSUK_VERSION))"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: export DEBUG ?= true
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py rundev $(ADDRPORT)

# The fault tests run on their own (`make faults`): they take minutes and need PostgreSQL.
test: $(VENV)/.installed
	$(PY) -m pytest -m "not faults" $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not browser and not slow and not faults" $(PYTEST_ARGS)

# Real workers, beats and a redis-server of the test's own on a spare port, killed and restarted
# around the PostgreSQL test database (DATABASE_URL=postgres://...); prints the counts.
faults: $(VENV)/.installed
	$(PY) -m pytest tests/faults -m faults $(PYTEST_ARGS)

# Seeds DATABASE_URL's database up to SCALE reviews (or reuses it), serves it with gunicorn and
# prints page, median ms, ratio to the login page, queries and size. A throwaway database only.
SCALE ?= 10000
bench: export DEBUG = false
bench: export DEMO_PASSWORD ?= peer-support-demo
bench: export SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
bench: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench_pages --scale $(SCALE)

# The restore drill (docs/adr/0011): on scratch databases beside DATABASE_URL's (PostgreSQL),
# which it drops afterwards; exits non-zero if any check fails.
restore-drill: export DEBUG ?= true
restore-drill: $(VENV)/.installed
	$(PY) manage.py restore_drill

# On whatever database DATABASE_URL names (SQLite under .run by default), migrated first.
MESSAGES ?= 10000
bench-outbox: export DEBUG ?= true
bench-outbox: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench_outbox --messages $(MESSAGES)

# pip-audit on the installed packages; says so (and passes) when no vulnerability database answers.
audit: $(VENV)/.installed
	$(PY) .ci/dependency-audit

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) .ci/lint_module_size.py
	$(PY) .ci/lint_scoped_queries.py
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

static:
	sh static/refresh-nhsuk.sh $(NHSUK_VERSION)

clean:
	rm -rf .run
