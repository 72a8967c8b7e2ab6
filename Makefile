# Baton: `make run` serves the platform, `make test` runs every test. See README.md.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
RUN_ENV := DEBUG=$${DEBUG:-true}
TEST_DATABASE_URL ?= $${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
TEST_BROKER_URL ?= $${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}
PYTEST := $(PY) -m pytest

.PHONY: run install test test-sqlite test-integration browser bench conformance clean

run: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py load_demo
	$(RUN_ENV) $(PY) manage.py serve --port $(PORT)

install: $(VENV)/.installed frontend/node_modules/.package-lock.json

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package for the browser tests (sudo apt-get install chromium)."; fi; }

test: install browser
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-integration

test-sqlite:
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PYTEST) -m "not integration"

# The suite again on PostgreSQL, with Redis and real Celery worker processes.
test-integration:
	@if $(PY) tests/services.py "$(TEST_DATABASE_URL)" "$(TEST_BROKER_URL)"; then \
	  DATABASE_URL="$(TEST_DATABASE_URL)" CELERY_BROKER_URL="$(TEST_BROKER_URL)" \
	    $(PYTEST) -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI: PostgreSQL or Redis is not reachable; the integration suite must run." >&2; exit 1; \
	else \
	  echo "PostgreSQL or Redis not reachable: integration suite skipped (it is required in CI)."; \
	fi

# The betsy execution suite alone; rewrites its section of docs/conformance.md.
conformance: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PYTEST) tests/conformance -q
	$(PY) -m tests.conformance.betsy_report --write

clean:
	rm -rf $(VENV) frontend/node_modules var/*.sqlite3* var/static

# Figures go to docs/benchmarks.md. PostgreSQL (database baton_bench, created if missing) and
# Redis as for the integration tests; each benchmark says what it measures.
bench: install
	DEBUG=false $(PY) -m bench.bpmn_import
	DEBUG=false $(PY) -m bench.straight_through
	DEBUG=false $(PY) -m bench.human_work
	DEBUG=false $(PY) -m bench.timers
	DEBUG=false $(PY) -m bench.growth
	DEBUG=false $(PY) -m bench.multi_instance
	DEBUG=false $(PY) -m bench.inbox
	DEBUG=false $(PY) -m bench.kpis
