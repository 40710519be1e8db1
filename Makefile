# The two commands of the README: `make run` (set up and start the service) and `make test` (the suite).
# Everything they need is installed here, into .venv, from requirements*.txt.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DOCS_PORT ?= 8001

.PHONY: run serve test lint docs docs-build docs-serve bench install install-dev migrate clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

# Set up everything (venv, database, demo site, admin login) and start the service on $(HOST):$(PORT),
# with the task worker (scheduled publishing, webhook deliveries) beside it; the worker stops with the server.
# The worker runs under deploy/supervise.sh, which starts it again if it ever exits (production: systemd).
# Both processes share one cache (a directory under var/ unless CACHE_URL says otherwise), so a publish the
# worker makes reaches the server's delivery answers at once.
run: migrate
	$(PY) manage.py seed_demo --base-url http://$(HOST):$(PORT)
	export CACHE_URL=$${CACHE_URL:-file://$(CURDIR)/var/cache}; \
	sh deploy/supervise.sh $(PY) manage.py run_worker --interval $${WORKER_INTERVAL:-1} & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production serving: granian with WEB_WORKERS processes, request limits in cms/server.py (see README "Production").
serve: migrate
	HOST=$(HOST) PORT=$(PORT) $(PY) -m cms.server

# The whole test suite, on SQLite unless DATABASE_URL points elsewhere.
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Style, the layers (import-linter: an upward import or a cycle fails), and no model change without its migration.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy
	$(MAKE) docs-build

# The documentation (docs/, mkdocs.yml): `docs-build` fails on any warning, such as a broken link or a page
# missing from the navigation; `docs` builds it so, then serves it on 127.0.0.1:$(DOCS_PORT) with live reload.
docs-build: install-dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

docs-serve: install-dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --strict -a 127.0.0.1:$(DOCS_PORT)

docs: docs-build docs-serve

bench: install-dev
	for f in bench/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var
