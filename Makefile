# SOC Pipeline. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export SOC_CACHE ?= /var/cache/soc-pipeline
INFRA_ENV := $(SOC_CACHE)/run/infra.env
KUBE_ENV := $(SOC_CACHE)/run/kube.env
# Loads the addresses of the real servers (and of the local Kubernetes API server, when up) into a recipe's environment.
WITH_INFRA := set -a && source $(INFRA_ENV) && if [ -f $(KUBE_ENV) ]; then source $(KUBE_ENV); fi && set +a &&

# Node 24 LTS for every target, whatever Node the machine has: the official binary, pinned and
# cached under $(SOC_CACHE) (scripts/infra/node.sh), first on every recipe's PATH. npm and npx run on it too.
NODE_VERSION := 24.21.0
NODE_PACKAGE := node-linux-$(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
NODE_HOME := $(SOC_CACHE)/node/$(NODE_VERSION)
NODE_BIN := $(NODE_HOME)/node_modules/$(NODE_PACKAGE)/bin
export PATH := $(NODE_BIN):$(PATH)

.PHONY: help node node-bin install run test typecheck lint unit-test integration-test go-tools-start infra-up infra-down bench system-packages

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F ':.*## ' '{printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(NODE_BIN)/node:
	NODE_VERSION=$(NODE_VERSION) NODE_PACKAGE=$(NODE_PACKAGE) NODE_HOME=$(NODE_HOME) bash scripts/infra/node.sh

node: $(NODE_BIN)/node ## Install (cached) the pinned Node 24 that every target runs with

node-bin: node ## Print its directory, for a shell: export PATH=$$(make -s node-bin):$$PATH
	@echo $(NODE_BIN)

node_modules/.package-lock.json: package.json package-lock.json $(wildcard */package.json services/*/package.json services/collectors/*/package.json) | $(NODE_BIN)/node
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## Install the npm workspaces (cached in node_modules)

system-packages: ## Install the Debian packages the tests use (Redis, PostgreSQL, Chromium, poppler)
	bash scripts/infra/apt-packages.sh

run: install ## Run the embedded pipeline: API on :8000, dashboard on :3000, no servers needed
	@if [ -f dashboard/vite.config.ts ]; then npm run build -w @soc/dashboard; fi
	npx tsx services/standalone/src/main.ts

typecheck: install ## Type-check every workspace (strict), the dashboard's .svelte files with svelte-check
	npx tsc -p tsconfig.json
	npm run check -w @soc/dashboard

lint: install ## Lint every workspace, and check the formatting (Prettier, 120 columns: `npx prettier --write .` fixes it)
	npx eslint .
	npx prettier --check --log-level warn .

infra-up: | $(NODE_BIN)/node ## Fetch (cached) and start Kafka, Elasticsearch, Redis and PostgreSQL on loopback
	bash scripts/infra/up.sh

infra-down: ## Stop the loopback servers
	bash scripts/infra/down.sh

unit-test: install ## Unit and in-memory contract tests only (no servers)
	npx vitest run

# The suites that need promtool and Jaeger (Go programs, built by scripts/infra/go-tools.sh) run last,
# once their build is done: `make test` starts it in the background before anything else.
GO_TOOL_SUITES := tests/monitoring tests/tracing

go-tools-start: ## Start building promtool and Jaeger in the background (cached; nothing to do when current)
	bash scripts/infra/go-tools.sh start

integration-test: install ## All suites, with the real servers of infra-up (and the API server of kube-up)
	$(WITH_INFRA) npx vitest run $(foreach suite,$(GO_TOOL_SUITES),--exclude '$(suite)/**')
	bash scripts/infra/go-tools.sh wait && bash scripts/infra/jaeger.sh up && bash scripts/infra/env.sh >$(INFRA_ENV)
	$(WITH_INFRA) npx vitest run $(GO_TOOL_SUITES)

test: go-tools-start install system-packages infra-up kube-up typecheck lint integration-test ## Set up everything, then every test, lint and type check
	@if [ -f dashboard/vite.config.ts ]; then npm run build -w @soc/dashboard && npm test -w @soc/dashboard && npm run test:e2e -w @soc/dashboard; fi

bench: install infra-up kube-up ## Run the committed benchmarks (figures go to docs/benchmarks.md)
	$(WITH_INFRA) bash bench/run-all.sh

-include mk/*.mk
