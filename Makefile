# Trellis — `make demo` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

help:
	@echo "make demo   set up, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run the whole suite (DATABASE_URL selects PostgreSQL)"
	@echo "make check  ruff, mypy, import-linter, migrations, deploy checks"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make fmt    format and fix lint"

# Find a Python >= 3.12: PATH first, then pyenv's versions.
define find_python
for c in python3.13 python3.12 python3; do \
  p=$$(command -v $$c 2>/dev/null) || continue; \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
done; \
root=$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv); \
for p in $$(ls -d $$root/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -Vr); do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
done; exit 1
endef

$(VENV)/.installed: pyproject.toml constraints.txt
	@py=$$($(find_python)) || { echo "error: Trellis needs Python >= 3.12; none found on PATH or in pyenv's versions." >&2; exit 1; }; \
	echo "using $$py"; \
	test -x $(PY) || $$py -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: accessibility checks will be skipped" >&2; fi

setup: $(VENV)/.installed
setup-dev: $(VENV)/.dev-installed

# The demo seals text with its own key in var/vault.key (made once, mode 0600). A database made before the key
# file existed was sealed with the development key: it is kept as an older key, so that data still opens.
DEMO_ENV := TRELLIS_DEMO=1 TRELLIS_VAULT_KEY_FILE=var/vault.key
DEV_KEY := ZGV2LW9ubHktdmF1bHQta2V5LW5vdC1mb3ItcHJvZCE=

var/vault.key: | $(VENV)/.installed
	@mkdir -p var
	@if [ -f var/trellis.sqlite3 ]; then keep="--keep $(DEV_KEY)"; fi; \
	$(PY) -m trellis vault new-key --file $@ $$keep

demo: setup var/vault.key
	$(DEMO_ENV) $(PY) -m trellis migrate --no-input -v 0
	$(DEMO_ENV) $(PY) -m trellis demo
	@echo ""
	@echo "Trellis is running at http://127.0.0.1:$(PORT)/  (every demo password: trellis-demo;"
	@echo "the platform admin is admin@trellis.example at http://127.0.0.1:$(PORT)/admin/)"
	@# background work (matching runs, mail) needs a worker: it runs beside the server and stops with it
	@$(DEMO_ENV) $(PY) -m trellis worker > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "task worker running (log: var/worker.log)"; \
	$(DEMO_ENV) $(PY) -m trellis runserver --noreload 127.0.0.1:$(PORT)

# The suite runs on every core (pytest-xdist; each worker has its own test database). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= auto

test: setup-dev node_modules/axe-core/axe.min.js
	TRELLIS_ENV=test $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: setup-dev
	TRELLIS_ENV=test $(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

check: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy trellis
	$(VENV)/bin/lint-imports
	TRELLIS_ENV=test $(PY) -m trellis makemigrations --check --dry-run
	TRELLIS_ENV=prod SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -d '/+=') \
	  ALLOWED_HOSTS=trellis.example TRELLIS_VAULT_KEYS=$$($(PY) -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	  $(PY) -m trellis check --deploy --fail-level WARNING

bench: setup-dev
	$(PY) bench/import.py
	$(PY) bench/pages.py
	$(PY) bench/reinforcement.py
	$(PY) bench/matching.py

fmt: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: help setup setup-dev demo test test-fast check bench fmt
