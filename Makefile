# The two commands of the Bildungsportal: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test install lint messages check-messages clean bench security-scan

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(VENV)/.installed node_modules/.package-lock.json
	DJANGO_DEBUG=true $(MANAGE) compilemessages --ignore '.venv' --ignore 'node_modules' -v 0

var:
	mkdir -p var

## Serve the portal on http://127.0.0.1:$(PORT) with reference and demo data,
## and run the mail worker beside it; both stop together.
run: export DJANGO_DEBUG ?= true
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install | var
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_reference_data
	$(MANAGE) setup_roles
	$(MANAGE) load_demo_data
	$(MANAGE) send_queued_mail
	$(MANAGE) purge_audit_entries --schedule
	$(MANAGE) db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

## Run the whole test suite (DATABASE_URL selects the database).
test: install | var
	$(BIN)/pytest $(PYTEST_ARGS)

## Measure speed on PostgreSQL and gunicorn; writes docs/benchmarks.md.
## Not part of `make test` or CI. BENCH_DATABASE_URL selects the server,
## BENCH_ARGS passes options (e.g. --seconds 5); see bench/run.py.
bench: install
	@command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk \
	  || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Scan a local production-like portal with wapiti and sqlmap (Debian
## packages; only 127.0.0.1 is contacted). Writes docs/security/scan-report.md
## and fails on any finding above "low" not documented in docs/security/.
security-scan: install
	./scripts/security-scan

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Update the German catalogue after changing texts.
messages: install
	DJANGO_DEBUG=true $(MANAGE) makemessages -l de --no-obsolete --no-location -i '.venv/*' -i 'node_modules/*' -i 'var/*' -i 'tests/*'

clean:
	rm -rf $(VENV) node_modules var
