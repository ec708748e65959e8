# Two commands for a new user: `make run` (the sandbox) and `make test` (the suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install translations messages run test test-fast lint format browser clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

## UI catalogs: Russian msgids, English in b24app/translations/en; the .mo files are built, not kept.
CATALOGS := $(wildcard b24app/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGS:.po=.mo)

b24app/translations/%/LC_MESSAGES/messages.mo: b24app/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d b24app/translations -l $* -i $< -o $@

## After changing UI strings: re-extract them (templates, Python, t("…") in scripts) into the catalogs.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k t -k _m -k N_ --no-location --sort-output \
		--no-wrap --project sd-bitrix24 -o b24app/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap --ignore-obsolete --no-fuzzy-matching -i b24app/translations/messages.pot -d b24app/translations

## Debian's Chromium drives the browser tests (Playwright uses it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

run: install
	$(PY) -m sandbox

test: install browser
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
