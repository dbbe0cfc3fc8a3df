# Two commands matter: `make run` (the app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/advocacy_ci
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run test test-embedded test-services lint worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build_css.mjs
	$(BIN)/python scripts/vendor_assets.py
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask worker & trap "kill $$!" EXIT; $(BIN)/flask run --host 127.0.0.1 --port 5000

worker:
	$(BIN)/flask worker

# The whole suite, twice: on the embedded default, then on PostgreSQL + Redis (tests marked
# `once` do not depend on the database backend and run in the first run only).
test: install
	$(MAKE) lint
	$(MAKE) test-embedded
	$(MAKE) test-services

test-embedded:
	env -u DATABASE_URL -u REDIS_URL TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -n 2 --dist loadfile

test-services:
	$(BIN)/python scripts/check_services.py "$(TEST_PG_URL)" "$(TEST_REDIS_URL)"
	DATABASE_URL=$(TEST_PG_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -n 2 --dist loadfile -m "not once"

lint:
	npx --no-install stylelint "static/css/**/*.css"
	$(BIN)/ruff check advocacy tests scripts $(wildcard bench)
	$(BIN)/ruff format --check advocacy tests scripts $(wildcard bench)
