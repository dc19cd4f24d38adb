# Set-up is part of every target: a fresh clone needs nothing but Python 3.11+.
# `make run` installs only what runs; the test, lint and browser tools come with the targets that use them.
PYTHON ?= python3
VENV := .venv
RUN_STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
INSTALL_LOG := $(VENV)/install.log

.PHONY: help run test test-fast test-fuzz test-faults test-compose lint bench chromium clean
.DEFAULT_GOAL := help

help: ## list the targets (this text)
	@echo "make TARGET, one of:"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: $(RUN_STAMP) ## install what runs into .venv, then run the whole system on embedded defaults (Ctrl-C stops it)
	@$(VENV)/bin/portal run

test: lint chromium ## lint, then every test (needs PostgreSQL on 127.0.0.1:5432 and root; installs Chromium and Docker with apt)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test-fast: lint ## lint, then the unit and integration tests (no browser, no whole system)
	$(VENV)/bin/python -m pytest -q tests/unit tests/integration

test-fuzz: $(TEST_STAMP) ## Schemathesis against a running system, SQLite and PostgreSQL (part of `make test`)
	$(VENV)/bin/python -m pytest tests/e2e/test_schemathesis.py $(PYTEST_ARGS)

test-faults: $(TEST_STAMP) ## faults during imports: databases restarted, processes killed (root; part of `make test`)
	$(VENV)/bin/python -m pytest -m faults tests/e2e/faults $(PYTEST_ARGS)

test-compose: $(TEST_STAMP) ## docker-compose.yml on images built here, in an own Docker engine (root; part of `make test`)
	$(VENV)/bin/python -m pytest -m compose tests/compose $(PYTEST_ARGS)

# Style (ruff), the architecture's boundaries (import-linter) and types (mypy).
lint: $(TEST_STAMP) ## ruff, import-linter and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(BENCH_STAMP) ## the benchmarks of the Measurements section, with the peers (PostgreSQL and Redis, like the tests)
	$(VENV)/bin/python -m benchmarks.run $(BENCH_ARGS)

# The browser tests drive Debian's Chromium (no browser download at install time).
chromium: ## install Debian's chromium with apt when it is missing (for the browser tests)
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean: ## remove .venv and ./var (the embedded data: users, imports, passwords)
	rm -rf $(VENV) var

# The installer's output goes to a log (shown when it fails), so that `make run` ends with what
# `portal run` says.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --upgrade pip > $(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); exit 1; }

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "Installing the portal into $(VENV) (log: $(INSTALL_LOG))"
	@$(VENV)/bin/pip install -e . >> $(INSTALL_LOG) 2>&1 || { tail -40 $(INSTALL_LOG); exit 1; }
	@touch $@

$(TEST_STAMP): $(RUN_STAMP)
	@echo "Installing the test tools into $(VENV) (log: $(INSTALL_LOG))"
	@$(VENV)/bin/pip install -e '.[test]' >> $(INSTALL_LOG) 2>&1 || { tail -40 $(INSTALL_LOG); exit 1; }
	@touch $@

# Django and django-import-export, only for the benchmark's peer: `make test` and `make run` go without.
$(BENCH_STAMP): $(TEST_STAMP)
	@echo "Installing the benchmark's peers into $(VENV) (log: $(INSTALL_LOG))"
	@$(VENV)/bin/pip install -e '.[test,bench-peers]' >> $(INSTALL_LOG) 2>&1 || { tail -40 $(INSTALL_LOG); exit 1; }
	@touch $@
