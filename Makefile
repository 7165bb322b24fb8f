# Locker's developer entry points. `make run` and `make test` are the contract:
# both work on a fresh machine with only python3, make and git (plus root for
# the browser test's apt packages).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt cli/pyproject.toml | cksum | cut -d' ' -f1)
PYTEST := $(BIN)/python -m pytest
# checkov pins boto3 exactly (an older one than Locker's), so it gets a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cksum < requirements-checkov.txt | cut -d' ' -f1)

.PHONY: help run emulator web web-bundle test check lint format typecheck test-unit test-web test-emulator \
	    test-integration test-e2e token postman openapi client-deps browser-deps package lint-infra test-infra \
	    bench bench-smoke doctor clean

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt cli/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned requirements into $(VENV) ..."
	@$(BIN)/python -m pip install -q --disable-pip-version-check "pip<26.3"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@# The `locker` command (cli/): editable, its dependencies already pinned above.
	@$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e cli
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## Create .venv with the pinned requirements

$(CHECKOV_STAMP): requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "Installing pinned checkov into $(CHECKOV_VENV) ..."
	@$(CHECKOV_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-checkov.txt
	@rm -f $(CHECKOV_VENV)/.installed-* && touch $@

# The web app's Uppy bundle: the packages pinned in web/package-lock.json, bundled by the
# pinned esbuild. Built here, never committed (web/README.md says why).
WEB_DEPS := web/node_modules/.package-lock.json
WEB_BUNDLE := web/vendor/uppy.js

$(WEB_DEPS): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

$(WEB_BUNDLE): $(WEB_DEPS) web/bundle/build.js web/bundle/uppy.js web/bundle/uppy.css
	node web/bundle/build.js

web-bundle: $(WEB_BUNDLE) ## Bundle the pinned Uppy packages into web/vendor/ (npm ci + esbuild)

run: $(STAMP) $(WEB_BUNDLE) ## Serve the emulator, the API (reloads on edits) and the web app (Ctrl-C stops)
	$(BIN)/python -m devstack.run

emulator: $(STAMP) ## Serve only the emulator, provisioned and seeded, for `chalice local --stage local`
	$(BIN)/python -m devstack.run --emulator-only

web: $(STAMP) $(WEB_BUNDLE) ## Serve only the web app, for the API and emulator in .local/stack.json
	$(BIN)/python -m devstack.web_server

token: $(STAMP) ## Print a fresh access token (USER=, PASSWORD= optional)
	@$(BIN)/python -m devstack.login $(if $(filter command line,$(origin USER)),--user "$(USER)") $(if $(PASSWORD),--password "$(PASSWORD)")

doctor: $(STAMP) ## Check the local stack against Locker's invariants (ARGS="--bucket B --table T" for another)
	@$(BIN)/python -m devstack.doctor $(ARGS)

test: check ## Run every check and test suite (what CI runs)

check: lint typecheck lint-infra test-unit test-web test-emulator test-integration test-infra test-e2e ## What make test runs

lint: $(STAMP) ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## mypy --strict on app.py, chalicelib, devstack and scripts
	$(BIN)/mypy

test-unit: $(STAMP) ## Unit tests: no network, in-process moto
	$(PYTEST) tests/unit -q

test-web: $(WEB_DEPS) ## The SPA's own unit tests and the Uppy glue's (node --test)
	cd web && node --test test/*.test.js

test-emulator: $(STAMP) ## The emulator itself: SigV4 gate, S3 errors, atomic DynamoDB
	$(PYTEST) tests/emulator -q

test-integration: $(STAMP) ## Locker's DynamoDB and S3 adapters against the emulator server
	$(PYTEST) tests/integration -q

test-e2e: $(STAMP) $(WEB_BUNDLE) client-deps ## HTTP, Postman, curl and browser tests against the local stack they start
	$(PYTEST) tests/e2e -q

client-deps: postman/node_modules/.package-lock.json tests/e2e/axe/node_modules/.package-lock.json browser-deps ## newman + axe-core (npm), chromium + curl (apt) for e2e

browser-deps: ## Debian's chromium (and curl) for the browser and curl tests (apt-get; root or sudo)
	@bash scripts/browser_deps.sh

postman/node_modules/.package-lock.json: postman/package.json postman/package-lock.json
	npm ci --prefix postman --no-audit --no-fund --loglevel=error

tests/e2e/axe/node_modules/.package-lock.json: tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	npm ci --prefix tests/e2e/axe --no-audit --no-fund --loglevel=error

POSTMAN_ENV ?= .local/locker.postman_environment.json

postman: postman/node_modules/.package-lock.json ## Run the Postman collection with newman against `make run`
	@test -f $(POSTMAN_ENV) || { echo "$(POSTMAN_ENV) not found: start the stack first with make run" >&2; exit 1; }
	postman/node_modules/.bin/newman run postman/locker.postman_collection.json -e $(POSTMAN_ENV) --working-dir . --bail

openapi: $(STAMP) ## Regenerate docs/openapi.json from the routes and schemas
	$(BIN)/python -m scripts.openapi

package: $(STAMP) ## Build out/sam.json + out/deployment.zip for AWS (fetches Lambda wheels from PyPI)
	$(BIN)/python -m scripts.package --out out

# checkov offline: no platform API key, no policy download; skips live inline in the template.
lint-infra: package $(CHECKOV_STAMP) ## cfn-lint and checkov on the packaged template: no findings
	$(BIN)/cfn-lint out/sam.json
	$(CHECKOV_VENV)/bin/checkov --file out/sam.json --framework cloudformation --skip-download --compact --quiet

test-infra: $(STAMP) ## Packaged template, IAM and Lambda zip checks (packages into a temp dir)
	$(PYTEST) tests/infra -q

bench: $(STAMP) ## Benchmarks: Locker/baseline ratios, writes bench/RESULTS.md (~2 min; not part of make test)
	$(BIN)/python -m bench

bench-smoke: $(STAMP) ## Every benchmark for a few iterations (~10 s; checks nothing on time)
	$(BIN)/python -m bench --smoke

clean: ## Remove the venv and generated files
	rm -rf $(VENV) $(CHECKOV_VENV) .local out .pytest_cache .mypy_cache .ruff_cache postman/node_modules \
	    tests/e2e/axe/node_modules web/node_modules web/vendor .chalice/deployments
