# The two commands: `make run` (the product, live, in the browser) and `make test`.
# Both work on a machine that has only Python 3.11+: they create .venv, install, and start
# embedded PostgreSQL and Redis under ./var/ unless DATABASE_URL / CELERY_BROKER_URL are set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-faults lint format services-up services-down clean bench

run: $(STAMP)
	$(PY) -m devstack.stack run

test: lint
	$(PY) -m devstack.services up
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

# Fault injection (issue 15, ADR 0028): PostgreSQL restarted, workers killed, the broker
# down for DCIM_FAULT_BROKER_OUTAGE_S (300 unless set), on scratch services under /tmp that
# the tests stop and start (never ./var). Each test prints sent/stored/lost/doubled.
test-faults: $(STAMP)
	scratch=$$(mktemp -d /tmp/dcim-faults-XXXXXX); \
	DCIM_VAR_DIR=$$scratch/var DCIM_FAULT_TESTS=1 $(PY) -m pytest tests/faults -m faults -s \
	  -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	DCIM_VAR_DIR=$$scratch/var $(PY) -m devstack.services down >/dev/null; \
	rm -rf $$scratch; exit $$rc

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Benchmarks print ratios against a baseline measured in the same run and write var/bench/*.json.
bench: bench-store bench-collectors bench-pages bench-alerts bench-energy bench-reports bench-load bench-broker

# bench-store, bench-collectors, bench-pages, bench-alerts, bench-energy, bench-broker: manage.py bench_<name>
# (a pattern rule, so not in .PHONY: make skips implicit rules for phony targets).
bench-%: $(STAMP)
	$(PY) -m devstack.stack env
	$(PY) -m devstack.services up
	$(PY) manage.py bench_$*

# ruff, and import-linter's contracts (pyproject.toml): the layers point one way.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

services-up: $(STAMP)
	$(PY) -m devstack.services up

services-down: $(STAMP)
	$(PY) -m devstack.services down

clean: services-down
	rm -rf $(VENV) var
