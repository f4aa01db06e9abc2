# LEO Portal: `make run` serves the demo site, `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
UV_VERSION := 0.13.9
PORT ?= 8000

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/leoportal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DEBUG=true DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	DJANGO_ALLOW_ASYNC_UNSAFE=true
PYTEST_ARGS ?=
# What mypy checks, and how strictly, is in pyproject.toml ([tool.mypy]). Its Django plugin imports the settings:
# DEBUG=true lets them load without a secret key or a database, whatever .env says; the cache is .mypy_cache.
MYPY := DEBUG=true $(BIN)/mypy
# Test processes (pytest-xdist): one more than the cores, as much of the suite waits on Chromium, subprocesses and
# the database; TEST_PROCESSES=0 runs the suite in this process alone.
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: help install run test test-fast coverage tour lint typecheck format migrate seed services loadtest clean

help:
	@echo "make run      install, migrate, seed the demo and serve on 127.0.0.1:$(PORT)"
	@echo "make test     install and run the whole test suite on PostgreSQL and Redis, with the coverage floor"
	@echo "make test-fast  the inner loop: the suite without the slow, browser, live-worker and broad tests"
	@echo "make coverage   the inner loop under coverage, listing the lines it does not run"
	@echo "make install  create .venv with the locked dependencies and install front-end assets"
	@echo "make lint     ruff check, ruff format --check, djlint (templates), makemigrations --check, the layout gates, mypy"
	@echo "make typecheck  mypy alone: strict on the matching engine, default checks on the domain modules"
	@echo "make tour     retake the README's pictures (docs/tour/) with the browser test that crawls every page"
	@echo "make loadtest 50 researchers for 60 s against gunicorn on 10,000 proposals; prints the figures"

install: $(VENV)/.installed node_modules/.installed .env

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.env:
	cp .env.example .env

# make run keeps the database steps quiet (a line each); make migrate on its own lists every migration.
MIGRATE_VERBOSITY ?= 1

migrate: install
	@$(MANAGE) ensure_database
	@$(MANAGE) migrate --noinput --verbosity $(MIGRATE_VERBOSITY)

seed: migrate
	@$(MANAGE) seed_demo

run: MIGRATE_VERBOSITY = 0
run: seed
	@PORT=$(PORT) scripts/run.sh

services:
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) scripts/ensure-services.sh

# The whole suite, measuring the inner loop's coverage of the apps (tests/conftest.py traces only its tests) and
# failing under the floor in pyproject.toml ([tool.coverage.report]); `make coverage` lists the lines not run.
test: install services
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal --cov --cov-report= $(PYTEST_ARGS)

# The inner loop: everything but the browser (tests/e2e), the tests that start a real Celery worker, the slow ones
# and the broad sweeps (pyproject.toml's markers).
FAST_TESTS := --ignore=tests/e2e -m "not worker and not slow and not broad"

test-fast: install services
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal $(FAST_TESTS) $(PYTEST_ARGS)

# The inner loop under coverage, as make test measures it, with each file's lines not run.
coverage: install services
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal $(FAST_TESTS) --cov --cov-report=term-missing $(PYTEST_ARGS)

# The README's pictures: the crawl of every page (tests/e2e/test_every_page.py) photographs each role's tour.
tour: install services
	$(TEST_ENV) TOUR_DIR=$(CURDIR)/docs/tour $(BIN)/pytest -n 0 tests/e2e/test_every_page.py

loadtest: install
	scripts/loadtest.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/python tools/check_layout.py
	$(MYPY)

typecheck: install
	$(MYPY)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache
