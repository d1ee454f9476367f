# labtrack: `make run` serves the demo, `make test` runs the whole suite (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres translations lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Front-end libraries (package-lock.json) from npm, served by the app from node_modules (labtrack/vendor.py).
# `npm ci` runs only when node_modules is missing or the lockfile changed (works offline after that).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

translations: $(VENV)/.runtime
	$(PY) scripts/i18n.py compile

run: $(VENV)/.runtime node_modules/.installed translations
	$(FLASK) db upgrade
	$(FLASK) labtrack demo --if-empty
	@echo ""
	@echo "labtrack on http://127.0.0.1:$(PORT)/"
	@echo "Demo logins (password for all: labtrack-demo):"
	@echo "  admin, quality, inspector, viewer, and manager-<lab code> (e.g. manager-SC-TC)"
	@echo "Background jobs and the daily schedule: a worker runs beside the server (stopped with it)."
	@echo ""
	@$(FLASK) labtrack worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The whole suite on SQLite, then the database tests again on a throw-away PostgreSQL server.
# Tests run in parallel processes, one per core (pytest-xdist); TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= auto
test: $(VENV)/.dev node_modules/.installed translations
	$(PY) -m pytest -n $(TEST_WORKERS)
	$(PY) -m pytest -n $(TEST_WORKERS) --db=postgresql -m "not browser" -q tests

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check labtrack tests bench scripts config.py wsgi.py
	$(VENV)/bin/ruff format --check labtrack tests bench scripts config.py wsgi.py

bench: $(VENV)/.dev node_modules/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
