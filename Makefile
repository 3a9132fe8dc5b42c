# The two commands: `make demo` (serve the seeded demo) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)

.PHONY: demo test test-fast install translations messages lint typecheck check clean

demo: install ## install, migrate, seed the demo and serve it on http://127.0.0.1:8000
	ANTT_DEMO=1 $(VENV)/bin/antt demo

test: install ## install what tests need (incl. Debian's chromium) and run the whole suite
	@scripts/ensure-debian-packages.sh chromium=chromium xgettext=gettext $(PDF_PACKAGES)
	$(VENV)/bin/pytest

test-fast: install ## the edit-test loop: the suite without slow and browser tests
	$(VENV)/bin/pytest -m "not slow and not browser"

# WeasyPrint (the printed reports) needs pango and harfbuzz's subsetter; DejaVu covers Vietnamese.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

install: $(UV)
	@scripts/ensure-debian-packages.sh $(PDF_PACKAGES)
	@$(UV) sync --frozen --quiet
	@$(MAKE) --no-print-directory translations

$(UV): scripts/bootstrap.sh
	@PYTHON=$(PYTHON) scripts/bootstrap.sh

translations:
	@$(VENV)/bin/python -m antt.core.i18n compile

messages: install ## extract new strings into the catalogues (needs gettext)
	ANTT_DEBUG=1 $(VENV)/bin/antt makemessages -l vi -l en --no-obsolete --no-location
	$(VENV)/bin/python -m antt.core.i18n fill-english

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck:
	ANTT_DEBUG=1 $(VENV)/bin/mypy antt

check: lint typecheck test

clean:
	rm -rf $(VENV) .tools var
