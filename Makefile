# Amends — `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export AMENDS_BIND ?= 127.0.0.1:8000

.DEFAULT_GOAL := help

help:  #: list the targets
	@grep -E '^[a-z-]+:.*#:' $(MAKEFILE_LIST) | sed -E 's/:.*#: */\t/' | expand -t 18

$(VENV)/.base: requirements/base.lock
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || "$$PYBIN" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	@touch $@

$(VENV)/.test: requirements/test.lock $(VENV)/.base
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.lock
	@touch $@

install: $(VENV)/.base  #: create .venv from the lock file

run: $(VENV)/.base  #: install, migrate SQLite, load demo data once, start web + worker + mail listener
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py demo_load
	$(PY) manage.py db_analyze
	@echo ""
	@echo "  Amends is starting on http://$(AMENDS_BIND)/"
	@echo "    complaint form:  http://$(AMENDS_BIND)/en/complain/   (also /he/ /ar/ /ru/)"
	@echo "    agent desk:      http://$(AMENDS_BIND)/en/desk/"
	@echo "    API docs:        http://$(AMENDS_BIND)/api/docs"
	@echo "  Demo logins (password: amends-demo):"
	@echo "    agent  — Dana Levi, agent (he/en)      agent2 — Omar Haddad, agent (ar/en)"
	@echo "    lead   — Irina Petrova, team lead      admin  — Sam Admin, administrator"
	@echo "  Mail is kept in the local outbox: http://$(AMENDS_BIND)/en/desk/outbox/ (lead/admin)"
	@echo "  Mail in: SMTP on $${AMENDS_SMTP_BIND:-127.0.0.1:8025} (e.g. swaks --server 127.0.0.1:8025 --to care@amends.localhost)"
	@echo "  Press Ctrl-C to stop."
	@echo ""
	$(VENV)/bin/honcho start -f Procfile

chromium:  #: make sure Debian's Chromium is there for the browser tests
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; }

dovecot:  #: make sure Debian's Dovecot is there for the IMAP poller's tests
	@[ -x /usr/sbin/dovecot ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	  else echo "The IMAP poller's tests need Dovecot: sudo apt-get install -y dovecot-imapd" >&2; exit 1; fi; }

node: node_modules/.package-lock.json  #: install axe-core (npm, package-lock.json) for the accessibility tests

node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "The accessibility tests need npm (Node.js): sudo apt-get install -y npm" >&2; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(VENV)/.test  #: ruff lint and format check
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check --quiet

fmt: $(VENV)/.test  #: format the code
	$(VENV)/bin/ruff format
	$(VENV)/bin/ruff check --fix

test-sqlite: $(VENV)/.test chromium dovecot node_modules/.package-lock.json  #: the suite on SQLite
	AMENDS_TESTING=1 $(VENV)/bin/pytest -q

test-pg: $(VENV)/.test chromium dovecot node_modules/.package-lock.json  #: the suite on PostgreSQL ($$PG_URL)
	@$(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=5).close()" 2>/dev/null || { \
	  echo "PostgreSQL is not reachable at $(PG_URL). Start it, or set PG_URL=postgres://USER@HOST:PORT/DB" >&2; exit 1; }
	AMENDS_TESTING=1 AMENDS_FUZZ_CASES=$${AMENDS_FUZZ_CASES:-10000} DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q

# The two runs share nothing (SQLite uses a file per process, PostgreSQL its own test database)
# and each uses one core, so they run side by side; -O prints each run's output whole.
test: lint chromium dovecot node_modules/.package-lock.json  #: lint, then the whole suite on SQLite and on PostgreSQL, side by side
	@echo "Running the suite on SQLite and on PostgreSQL at once; each prints when it ends."
	@$(MAKE) --no-print-directory -j2 -O test-sqlite test-pg

messages: $(VENV)/.test  #: refresh the he/ar/ru catalogues and compile them
	cd amends && ../$(PY) ../manage.py makemessages -l he -l ar -l ru --no-obsolete --no-location -i "static/*"
	cd amends && ../$(PY) ../manage.py compilemessages -l he -l ar -l ru

eval: $(VENV)/.base  #: insight: signal and language scores on the evaluation set (docs/insight.md)
	$(PY) -m amends.insight.evaluate

bench: $(VENV)/.test  #: performance benchmark (see docs/performance.md)
	$(PY) bench/run.py

.PHONY: help install run chromium dovecot node lint fmt test test-sqlite test-pg messages bench eval
