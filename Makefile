# Masthead: `make run` serves the demo newspaper, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint format check pytest browser demo bench bench-cache clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: install
	$(BIN)/masthead migrate --noinput
	$(BIN)/masthead collectstatic --noinput --verbosity 0
	$(BIN)/masthead demo --if-empty
	@echo "Masthead: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# The task worker runs beside the site: e-mails, and whatever happens at a set time.
	@$(BIN)/masthead db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/masthead runserver --noreload $(HOST):$(PORT)

test: install browser lint check pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(BIN)/masthead check --fail-level WARNING
	$(BIN)/masthead makemigrations --check --dry-run

# Browser tests flush the database they commit to, so they run on their own, after the rest.
pytest: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/pytest -m browser

# Browser tests drive Debian's Chromium; install it when missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) \
	      || echo "Chromium could not be installed: browser tests will be skipped."; \
	  else echo "Chromium is missing (apt-get install chromium): browser tests will be skipped."; fi; }

demo: install
	$(BIN)/masthead migrate --noinput
	$(BIN)/masthead demo

bench: install
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/syndication.py
	$(BIN)/python bench/cache.py

# Static files, uncached, Masthead's page cache and Varnish, then a newsroom under load.
bench-cache: install
	$(BIN)/python bench/cache.py

clean:
	rm -rf $(VENV) var build *.egg-info
