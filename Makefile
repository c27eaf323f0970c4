# Masthead: `make run` serves the demo newspaper, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
VARNISH_PORT ?= 6081
HOST ?= 127.0.0.1
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint format check pytest browser varnish-install varnish demo bench bench-cache clean

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
	@$(BIN)/masthead db_worker --backend worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/masthead runserver --noreload $(HOST):$(PORT)

test: install browser varnish-install lint check pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(BIN)/masthead check --fail-level WARNING
	$(BIN)/masthead makemigrations --check --dry-run

# Browser and live tests flush the database they commit to, so they run on their own, after
# the rest (each xdist worker has a test database of its own). PYTEST_MARK narrows both runs:
# .ci/run's PostgreSQL pass gives "and not own_database".
PYTEST_MARK ?=
pytest: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser and not live $(PYTEST_MARK)"
	$(BIN)/pytest -n 2 --dist loadfile -m "(browser or live) $(PYTEST_MARK)"

# Browser tests drive Debian's Chromium; install it when missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) \
	      || echo "Chromium could not be installed: browser tests will be skipped."; \
	  else echo "Chromium is missing (apt-get install chromium): browser tests will be skipped."; fi; }

# Varnish with the xkey module from Debian, installed when missing and we may.
varnish-install:
	@PATH="$$PATH:/usr/sbin"; \
	if ! command -v varnishd >/dev/null 2>&1 || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq varnish varnish-modules >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq varnish varnish-modules)) \
	      || echo "Varnish could not be installed: the Varnish tests will be skipped."; \
	  else echo "Varnish is missing (apt-get install varnish varnish-modules): the Varnish tests will be skipped."; fi; fi

# Varnish on VARNISH_PORT in front of the site on PORT (make run, or gunicorn), in the foreground.
varnish: varnish-install
	deploy/varnish/run $(VARNISH_PORT) $(HOST):$(PORT) var/varnish

demo: install
	$(BIN)/masthead migrate --noinput
	$(BIN)/masthead demo

bench: install
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/syndication.py
	$(BIN)/python bench/cache.py
	$(BIN)/python bench/comments.py
	$(BIN)/python bench/newsletter.py

# Static files, uncached, Masthead's page cache and Varnish, then a newsroom under load.
bench-cache: install
	$(BIN)/python bench/cache.py
	$(BIN)/python bench/comments.py

clean:
	rm -rf $(VENV) var build *.egg-info
