# Locker's developer entry points. `make run` and `make test` are the contract:
# both work on a fresh machine with only python3, make and git (plus root for
# the browser test's apt packages).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)
PYTEST := $(BIN)/python -m pytest

.PHONY: help run test check lint format typecheck test-unit test-integration test-e2e \
	    token postman browser-deps package lint-infra bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned requirements into $(VENV) ..."
	@$(BIN)/python -m pip install -q --disable-pip-version-check "pip<26.3"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: $(STAMP) ## Serve Locker on the embedded emulator (Ctrl-C stops)
	$(BIN)/python -m scripts.localstack

token: $(STAMP) ## Print a fresh access token (USER=, PASSWORD= optional)
	@$(BIN)/python -m scripts.token $(if $(filter command line,$(origin USER)),--user "$(USER)") $(if $(PASSWORD),--password "$(PASSWORD)")

test: check ## Run every check and test suite (what CI runs)

check: lint typecheck test-unit test-integration test-e2e

lint: $(STAMP) ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## mypy --strict on app.py, chalicelib and scripts
	$(BIN)/mypy

test-unit: $(STAMP) ## Unit tests: no network, in-process moto
	$(PYTEST) tests/unit -q

test-integration: $(STAMP) ## Adapters against a real emulator server
	$(PYTEST) tests/integration -q

test-e2e: $(STAMP) ## HTTP against the full local stack, started by the tests
	$(PYTEST) tests/e2e -q

clean: ## Remove the venv and generated files
	rm -rf $(VENV) .local out .pytest_cache .mypy_cache .ruff_cache postman/node_modules
