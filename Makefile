# make run  — install, migrate, load demo data when empty, serve on http://$(HOST):$(PORT)
# make test — the whole test suite (SQLite by default; TEST_DATABASE_URL / TEST_REDIS_URL for the real services)
# make lint — ruff (rules and complexity), the formatting check, complete message catalogues, declared imports
# make requirements — recompile requirements.txt / requirements-dev.txt from the .in files (pins kept)

PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 5000
# Links in messages are built on this address, never on the request's; set it to the name people use.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
export PUBLIC_BASE_URL
export FLASK_APP := wsgi

.PHONY: run test install translations lint requirements migrate-check worker scheduler serve-prod browser-deps clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d supervise/translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

LINTED := supervise tests bench deploy config.py wsgi.py

lint: $(BIN)/.installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_catalogues.py tests/test_requirements.py

# After editing requirements.in or requirements-dev.in. Existing pins are kept; to move one, edit its line in
# the .txt file (or add --upgrade-package NAME) and run this again.
PIP_COMPILE := $(BIN)/pip-compile --quiet --no-header --no-emit-index-url --no-emit-find-links --annotation-style=line --strip-extras
requirements: $(BIN)/.installed
	$(PIP_COMPILE) requirements.in -o requirements.txt
	$(PIP_COMPILE) requirements-dev.in -o requirements-dev.txt

# Update the message catalogues after changing user-visible strings.
messages: $(BIN)/.installed
	$(BIN)/pybabel extract --no-wrap -F babel.cfg -k _l -o supervise/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i supervise/translations/messages.pot -d supervise/translations

browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei)

serve-prod: install
	$(BIN)/gunicorn --workers $${WEB_CONCURRENCY:-4} --bind $(HOST):$(PORT) --access-logfile - wsgi:app

clean:
	rm -rf $(VENV) instance .pytest_cache

# With REDIS_URL set: the workers and the scheduler, each in its own terminal or service.
worker: install
	$(BIN)/flask worker

scheduler: install
	$(BIN)/flask scheduler
