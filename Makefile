# Positive Chat — every target installs what it needs on a fresh machine.
#   make run    start the whole API locally (DynamoDB Local, local Cognito, AppSync runtime)
#   make test   lint + unit + integration + end-to-end tests (~15 min budget)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PORT ?= 8000
CACHE := .cache

# DynamoDB Local ships inside this npm package (pinned; the tarball's integrity is
# checked by npm against the registry, the jar against the package's own sha256 file).
DDB_LOCAL_PKG := amplify-dynamodb-simulator@2.9.30
DDB_LOCAL_DIR := $(CACHE)/dynamodb-local

AMPLIFY_E2E := tests/e2e/amplify

.PHONY: help venv node-deps run test test-unit test-integration test-e2e lint typecheck validate bench soak clean dynamodb-local check-java deploy destroy

help:
	@echo "make run       start the API locally on http://127.0.0.1:$(PORT)/graphql (PORT=... to change)"
	@echo "make test      all tests that belong in CI (lint, unit, integration, e2e)"
	@echo "make lint      ruff + mypy"
	@echo "make validate  offline validation of infra/template.yaml"
	@echo "make bench     benchmarks -> bench/results/latest.{json,md}"
	@echo "make deploy    build and deploy to AWS with SAM (CONFIG_ENV=dev for a throw-away stack)"
	@echo "make destroy   delete the stack and all its data (asks first; YES=1 skips the prompt)"
	@echo "make clean     remove .venv, .cache and .local"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is required (Debian: apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required; found $$($(PYTHON) --version)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[local,local-nlp,client,parquet,dev]'
	touch $(STAMP)

venv: $(STAMP)

check-java:
	@command -v java >/dev/null || { \
	  echo "DynamoDB Local needs a Java runtime (17+)."; \
	  echo "  Debian/Ubuntu: sudo apt-get install -y default-jre-headless"; \
	  echo "  macOS:         brew install openjdk@17"; \
	  exit 1; }

dynamodb-local: $(DDB_LOCAL_DIR)/DynamoDBLocal.jar

$(DDB_LOCAL_DIR)/DynamoDBLocal.jar:
	@command -v npm >/dev/null || { echo "npm is needed to fetch DynamoDB Local (Debian: apt-get install -y npm; or install Node.js 20)"; exit 1; }
	bash tools/fetch-dynamodb-local.sh $(DDB_LOCAL_PKG) $(DDB_LOCAL_DIR)

# Amplify JS (pinned by package-lock.json) for the unmodified-Amplify real-time check.
$(AMPLIFY_E2E)/node_modules/.package-lock.json: $(AMPLIFY_E2E)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the Amplify JS check (Debian: apt-get install -y nodejs npm)"; exit 1; }
	cd $(AMPLIFY_E2E) && npm ci --no-audit --no-fund --loglevel=error

node-deps: $(AMPLIFY_E2E)/node_modules/.package-lock.json

run: $(STAMP)
	@if command -v java >/dev/null; then $(MAKE) --no-print-directory dynamodb-local; else \
	  echo "WARNING: Java not found: DynamoDB Local cannot start. Install it with: sudo apt-get install -y default-jre-headless"; \
	  echo "WARNING: falling back to an in-memory store (moto). NOTHING WILL PERSIST."; fi
	$(PY) -m appsync_local run --template infra/template.yaml --env-vars infra/env.local.json \
	  --port $(PORT) --state-dir .local --dynamodb-local-dir $(DDB_LOCAL_DIR) --seed infra/seed.local.json \
	  --static client/web

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

validate: $(STAMP)
	bash infra/validate.sh

test: $(STAMP) node-deps
	@if command -v java >/dev/null; then $(MAKE) --no-print-directory dynamodb-local; else \
	  echo "NOTE: Java not found; DynamoDB Local tests will be skipped (apt-get install -y default-jre-headless)"; fi
	bash tools/ensure-chromium.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory validate
	$(VENV)/bin/pytest -m "not slow" tests --ignore=tests/e2e/browser
	@# The browser suite runs on its own: Playwright's sync API keeps an event loop in the
	@# main thread for the session, which pytest-asyncio tests after it cannot share.
	$(VENV)/bin/pytest -m "not slow" tests/e2e/browser

test-unit: $(STAMP)
	$(VENV)/bin/pytest tests/unit

test-integration: $(STAMP) dynamodb-local
	$(VENV)/bin/pytest tests/integration

test-e2e: $(STAMP) dynamodb-local node-deps
	bash tools/ensure-chromium.sh
	$(VENV)/bin/pytest tests/e2e --ignore=tests/e2e/browser
	$(VENV)/bin/pytest tests/e2e/browser

BENCH_PEER := bench/peer
# The benchmark's peer: amplify-appsync-simulator, pinned by bench/peer/package-lock.json.
$(BENCH_PEER)/node_modules/.package-lock.json: $(BENCH_PEER)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the benchmark peer (Debian: apt-get install -y nodejs npm)"; exit 1; }
	cd $(BENCH_PEER) && npm ci --no-audit --no-fund --loglevel=error

bench: $(STAMP) dynamodb-local $(BENCH_PEER)/node_modules/.package-lock.json
	@# Analytics queries on a seeded volume (3,000 messages; the 50,000 one runs in make soak):
	@# latency and items read land in bench/results/analytics-*.json, folded into the report.
	PCHAT_BENCH_RESULTS=bench/results $(VENV)/bin/pytest -q -m "not slow" tests/integration/analytics
	$(PY) -m bench $(BENCH_ARGS)

soak: $(STAMP) dynamodb-local
	PCHAT_BENCH_RESULTS=bench/results $(VENV)/bin/pytest -m slow tests

deploy: $(STAMP)
	bash infra/deploy.sh

destroy: $(STAMP)
	bash infra/destroy.sh

clean:
	rm -rf $(VENV) $(CACHE) .local .pytest_cache .mypy_cache .ruff_cache
