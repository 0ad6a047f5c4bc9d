# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install xapian seed test bench demo check-deploy serve-production clean

# The development site as a visitor meets it: DEBUG off, so a mistyped address gets the
# portal's own 404 page, not Django's page listing every route (whitenoise still serves
# static files from static/, and errors still print their tracebacks on this console);
# `make run DJANGO_DEBUG=1` brings the debug pages back for the developer. Links that
# have no request behind them (alert e-mails) use PORTAL_BASE_URL: this address.
DJANGO_DEBUG ?= 0
RUN_ENV = DJANGO_DEBUG=$(DJANGO_DEBUG) PORTAL_BASE_URL=http://$(HOST):$(PORT)

run: setup seed
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# A virtualenv with the pinned dependencies; redone only when pyproject.toml changes.
# constraints.txt pins every transitive dependency to the set the suite last passed with.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,postgres]'
	touch $@

install: $(VENV)/.installed

# The second search engine (SEARCH_BACKEND=xapian): xapian-haystack from PyPI, and the
# Xapian library from Debian (apt-get install python3-xapian: bookworm's Python is
# 3.11, like the venv). Only the xapian package is put on the venv's path, by a .pth.
XAPIAN_DIST ?= /usr/lib/python3/dist-packages/xapian
xapian: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[xapian]'
	@test -d $(XAPIAN_DIST) || { echo "$(XAPIAN_DIST) is missing: apt-get install python3-xapian"; exit 1; }
	mkdir -p $(VENV)/debian-xapian && ln -sfn $(XAPIAN_DIST) $(VENV)/debian-xapian/xapian
	$(PY) -c 'import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"], "debian-xapian.pth").write_text(str(pathlib.Path("$(VENV)/debian-xapian").resolve()) + "\n")'
	$(PY) -c 'import xapian; print("xapian", xapian.version_string())'

setup: install
	$(PY) manage.py migrate --noinput

# Importing is idempotent: an unchanged file creates nothing.
seed: setup
	$(PY) manage.py import_documents seeds/
	$(PY) manage.py search_sync --repair

# The seeds plus the 90-version development corpus (Open Terms Archive, ODC-By).
demo: seed
	$(PY) manage.py import_documents tests/corpus/
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# axe-core (npm, pinned by tests/browser/package-lock.json) for the accessibility tests.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/browser && npm ci --no-audit --no-fund --silent && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the axe-core accessibility tests will be skipped (they fail in CI)"; fi

test: install $(AXE)
	$(PY) -m pytest

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

check-deploy: install
	PORTAL_ENV=production DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-but-long-enough-0123456789 \
	DJANGO_ALLOWED_HOSTS=portal.example.com PORTAL_BASE_URL=https://portal.example.com $(PY) manage.py check --deploy --fail-level WARNING

# Production-like serving: whitenoise for static files, gunicorn as the server.
# Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS in the environment.
serve-production: install
	PORTAL_ENV=production $(PY) manage.py migrate --noinput
	PORTAL_ENV=production $(PY) manage.py search_sync --repair
	PORTAL_ENV=production $(PY) manage.py collectstatic --noinput
	PORTAL_ENV=production $(VENV)/bin/gunicorn -c portal/gunicorn.conf.py portal.wsgi

clean:
	rm -rf $(VENV) var .pytest_cache
