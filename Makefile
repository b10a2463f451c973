# SoulRoute developer commands. Everything runs from the project's own virtualenv (.venv).

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# First Python >= 3.11 found on PATH (override: make PYTHON=python3.12 run).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { echo $$p; break; }; done)

.PHONY: run dev test test-db lint format bench install clean-web

run: $(STAMP)  ## set up the database and demo data, build, serve on http://localhost:$${PORT:-3000}
	$(VENV)/bin/soulroute serve

dev: $(STAMP)  ## same, with hot reload (one port: each change rebuilds the front end)
	$(VENV)/bin/soulroute serve --dev

test: $(STAMP)  ## every test: database, domain, state and browser (gets Chromium first where it can)
	@tools/ensure-chromium $(PY)
	$(PY) -m pytest $(PYTEST_ARGS)

test-db: $(STAMP)  ## the database, domain and state tests, no browser (TEST_DATABASE_URL picks the server)
	$(PY) -m pytest tests/db tests/domain tests/state $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)  ## database bench, live updates, the event path beside a bare Reflex app, Lighthouse (bench/README.md)
	$(PY) -m bench.run
	$(PY) -m bench.live
	$(PY) -m bench.events
	$(PY) -m bench.lighthouse

install: $(STAMP)

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed (never `playwright install`: Chromium comes from apt).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean-web:  ## drop the compiled front end (rebuilt on the next run)
	rm -rf .web
