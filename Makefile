# DRAKO — `make run` serves the app on SQLite, `make test` runs the whole suite.
# PYTHON=/path/to/python3.13 overrides the interpreter search (scripts/find_python.sh).
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check bench clean venv

$(VENV)/.runtime: requirements.txt
	@python_bin=$$(PYTHON="$(PYTHON)" sh scripts/find_python.sh) || exit 1; \
	 if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime

# The web server and the background worker together; Ctrl-C stops both (scripts/run_local.py).
run: $(VENV)/.runtime
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py bootstrap_local_admin --url http://$(HOST):$(PORT)
	DEBUG=$${DEBUG:-true} $(PY) manage.py ensure_default_persona
	DEBUG=$${DEBUG:-true} $(PY) scripts/run_local.py $(HOST):$(PORT)

# Tests run with DEBUG off like production; a throwaway key and test hosts make that legal.
test: $(VENV)/.dev
	SECRET_KEY=$${SECRET_KEY:-insecure-test-only-key} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-testserver,localhost,127.0.0.1} \
	  $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check: $(VENV)/.runtime
	$(PY) manage.py check

# Benchmarks: gunicorn + PostgreSQL (127.0.0.1:5432, user postgres) on loopback; writes
# bench/RESULTS.md. `timeout` bounds the whole run; bench.run stops what it started either way.
bench: $(VENV)/.dev
	timeout --signal=INT --kill-after=30 540 $(PY) -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles
