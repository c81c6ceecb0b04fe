# Two commands for a newcomer: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NHSUK_VERSION ?= 10.6.1
ADDRPORT ?= 127.0.0.1:8000

.PHONY: run test test-fast lint format check-migrations static faults clean help

help:
	@echo "make run    - install, migrate, load demo data and run the web app with a Celery worker and beat"
	@echo "make test   - run the whole test suite (browser tests need Debian's chromium)"
	@echo "make lint   - ruff and the migrations check"
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

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

static:
	sh static/refresh-nhsuk.sh $(NHSUK_VERSION)

clean:
	rm -rf .run
