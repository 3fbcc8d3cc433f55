# Two commands matter: `make run` and `make test`. Everything else is a step of theirs, except
# `make check`, the quick round for the edit-test loop.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app wsgi
LOCALES := vi en ko ja lo km th fr
# The server's own maintenance database: a fresh server has no other; the suite creates (and drops) its own.
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test check redis bench build-deps install install-dev translations compile-translations lint typecheck format test-sqlite test-postgres browser-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

## PyICU compiles against the system's ICU: its headers, pkg-config and a C++ compiler.
build-deps:
	@if command -v pkg-config >/dev/null && pkg-config --exists icu-i18n && command -v g++ >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing libicu-dev, pkg-config and g++ for PyICU..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
	else \
	  echo "*** PyICU needs ICU's headers, pkg-config and g++: apt-get install libicu-dev pkg-config g++"; \
	fi

$(VENV)/.installed: requirements.txt | $(PY) build-deps
	@echo "Installing the requirements into $(VENV) (a few minutes the first time: PyICU compiles against ICU)..."
	$(PY) -m pip install --quiet --progress-bar off -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY) build-deps
	@echo "Installing the test and lint tools into $(VENV)..."
	$(PY) -m pip install --quiet --progress-bar off -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed compile-translations
install-dev: $(VENV)/.installed-dev compile-translations

## Build the .mo files from the .po files in git (fuzzy entries are never compiled).
compile-translations: $(VENV)/.installed
	@$(PY) -m babel.messages.frontend compile --statistics -d translations 2>&1 | grep -v "^compiling" || true

## Re-extract every user-visible string and merge it into the eight catalogs.
translations: $(VENV)/.installed
	$(PY) -m babel.messages.frontend extract -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
	  --project "Can Tho Cultural Exchange" --copyright-holder "Can Tho Cultural Exchange contributors" \
	  -o translations/messages.pot .
	@for lang in $(LOCALES); do \
	  if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(PY) -m babel.messages.frontend update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations -l $$lang; \
	  else \
	    $(PY) -m babel.messages.frontend init -i translations/messages.pot -d translations -l $$lang; \
	  fi; \
	done
	$(MAKE) compile-translations

## Serve the demo on http://$(HOST):$(PORT) with the programme loaded; an outbox sender runs
## beside it (emails land in instance/mail/ as .eml files until a mail server is configured).
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo $(if $(DEMO),,--only-default-database)
	@EXCHANGE_BASE_URL=$${EXCHANGE_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) create-demo-organizer $(if $(DEMO),,--only-default-database)
	@export EXCHANGE_BASE_URL=$${EXCHANGE_BASE_URL:-http://$(HOST):$(PORT)}; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(FLASK) outbox send --loop & sender=$$!; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## mypy over exchange/services and exchange/models (the files and settings are in pyproject.toml).
typecheck: $(VENV)/.installed-dev
	$(PY) -m mypy

format: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## Chromium and its driver for the browser tests, and fonts for Lao, Khmer, Thai, Korean and Japanese.
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core fonts-noto-cjk >/dev/null; \
	else \
	  echo "*** chromium and chromedriver are missing: apt-get install chromium chromium-driver fonts-noto-core fonts-noto-cjk"; \
	fi

test: install-dev browser-deps redis lint typecheck test-sqlite test-postgres

## Lint, types and the service tests on SQLite only (no browser, no PostgreSQL), for the edit-test loop.
check: install-dev lint typecheck
	$(PY) -m pytest -q tests/services

test-sqlite: install-dev
	@echo "=== The suite on SQLite ==="
	$(PY) -m pytest

## Redis holds the rate limits shared by workers in the sign-in tests; start it as root if it is down.
redis:
	@if ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1) && [ "$$(id -u)" = 0 ] && command -v redis-server >/dev/null; then \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; sleep 1; \
	fi

## The same suite on PostgreSQL; it creates its own database on the server and drops it after.
test-postgres: install-dev
	@if ! $(PY) scripts/postgres_ready.py "$(PG_ADMIN_URL)" && [ "$$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; sleep 2; \
	fi
	@if $(PY) scripts/postgres_ready.py "$(PG_ADMIN_URL)"; then \
	  echo "=== The suite on PostgreSQL ($(PG_ADMIN_URL)) ==="; \
	  TEST_DATABASE_URL="$(PG_ADMIN_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL does not answer at $(PG_ADMIN_URL), and CI requires the PostgreSQL run." >&2; exit 1; \
	else \
	  echo ""; \
	  echo "##################################################################"; \
	  echo "###  PostgreSQL does not answer at $(PG_ADMIN_URL)"; \
	  echo "###  THE SUITE RAN ON SQLITE ONLY. Set PG_ADMIN_URL or start it."; \
	  echo "##################################################################"; \
	fi

## Performance figures, written to docs/benchmarks.md (bench/run.py): the app under the production gunicorn settings on
## SQLite and on PostgreSQL beside a Flask hello-world, driven by wrk; exports of 100,000 attendees; page cost at 14 and
## 1,000 events. About 10 minutes on 2 cores; BENCH_QUICK=1 for the short round.
bench: install-dev
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "*** wrk is missing: apt-get install wrk (as root), then make bench again" >&2; exit 1; \
	  fi; \
	fi
	PG_ADMIN_URL="$(PG_ADMIN_URL)" $(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find translations -name '*.mo' -delete
