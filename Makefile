# Broadsheet: `make run` to see the site, `make test` to run the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Test-only JavaScript (axe-core for the browser tests), pinned by package-lock.json.
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# A Python of at least 3.12: the one .python-version names through pyenv, else the newest
# python3.x on PATH.
PYTHON ?= $(shell scripts/find-python)

.PHONY: help venv install run serve migrate seed test test-postgres lint format bench \
	bench-import bench-wordpress-setup clean

help:
	@echo "make run            set up and serve the site at http://$(HOST):$(PORT)/"
	@echo "make serve          production: collect static files, migrate, run gunicorn (DEBUG off)"
	@echo "make test           run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make test-postgres  run it against the local PostgreSQL server"
	@echo "make lint           ruff"
	@echo "make serve-nginx    production on one machine: gunicorn with nginx in front (Debian's nginx)"

$(PY):
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found: install one (pyenv install 3.13)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(STAMP)
install: $(STAMP) $(NODE_STAMP)

migrate: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input

seed: migrate
	DEBUG=$${DEBUG:-true} $(PY) manage.py import_seeds

run: seed
	DEBUG=$${DEBUG:-true} $(PY) manage.py create_local_admin
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off, so SECRET_KEY (and the rest, see README) must be set in the
# environment or .env. Static files are collected and served by whitenoise.
serve: $(STAMP)
	DEBUG=false STATIC_MANIFEST=true $(PY) manage.py collectstatic --no-input
	DEBUG=false STATIC_MANIFEST=true $(PY) manage.py migrate --no-input
	DEBUG=false $(PY) -m gunicorn -c config/gunicorn.conf.py

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) $(NODE_STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Each bench/bench_*.py prints its figures and writes them to bench/results/.
bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# The WordPress import alone (also part of `make bench`): rate and memory at 1,000 and
# 100,000 comments (BENCH_IMPORT_SIZES to change them).
bench-import: $(STAMP)
	$(PY) bench/bench_import.py

# The WordPress reference `make bench` compares the cache-off article with (as root:
# it installs Debian's packages, a MariaDB database, nginx and PHP-FPM on port 8089).
bench-wordpress-setup: $(STAMP)
	PYTHON=$(abspath $(PY)) bench/wordpress/setup.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# nginx in front of gunicorn on one machine, with deploy/nginx/broadsheet.conf filled in
# (see deploy/serve-behind-nginx.sh for its settings: NGINX_LISTEN, default 127.0.0.1:8080).
.PHONY: serve-nginx
serve-nginx: $(STAMP)
	PYTHON=$(abspath $(PY)) deploy/serve-behind-nginx.sh
