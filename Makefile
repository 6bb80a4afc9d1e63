# Operator entry points. Every client is its own Compose project "clt-v8-<PORT>" (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Project-local Node 24 (installed by scripts/ci/setup-host.sh on registry-less machines) wins.
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)
# A local stand-in for node:24-bookworm-slim is used when present (machines without a registry).
LOCAL_BASE_IMAGE := clt-v8/node-base:24
BASE_IMAGE ?= $(shell docker image inspect $(LOCAL_BASE_IMAGE) >/dev/null 2>&1 && echo $(LOCAL_BASE_IMAGE))
export BASE_IMAGE
CTL := node scripts/clientctl.ts
# The operator CLI imports the service's config code: a fresh clone installs the dependencies first.
DEPS := node_modules/.package-lock.json
# Operator values (make add-client NAME="..." PASSWORD=...) reach the CLI only through the
# environment, as CLT_ARG_<VAR>, taken literally with $(value ...): make never expands them and no
# recipe pastes them into shell text, so quotes, $, ;, backticks and $(shell ...) in a client name or
# a password stay data. The variables themselves are unexported, because make would otherwise
# expand them to put them into every recipe's environment. scripts/lib/make-args.ts reads them.
OPS_VARS := HOST TLS_PORT PORT NAME LINES PASSWORD PURGE SANDBOX NO_START JSON FROM DRY_RUN START LEGACY_PORT FILE FORCE OUT IMAGE STOP
unexport $(OPS_VARS)
$(foreach v,$(OPS_VARS),$(eval export CLT_ARG_$(v) := $$(value $(v))))

.PHONY: check-sandbox check-test help build up down add-client remove-client restart logs status sandbox set-admin-password config test lint typecheck setup bench migrate backup restore upgrade watchdog verify-evidence tls-up tls-down tls-add-client tls-ca

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

build: $(DEPS) ## build the service image (one image for every client)
	@$(CTL) build

up: $(DEPS) ## start every client under clients/ (or only PORT=)
	@$(CTL) up

down: $(DEPS) ## stop every client (or only PORT=); config, logs and data are kept
	@$(CTL) down

add-client: $(DEPS) ## create and start a client: PORT= [NAME="Empresa"] [SANDBOX=1] [NO_START=1]
	@$(CTL) add-client

remove-client: $(DEPS) ## stop a client and archive its config, logs and data (PURGE=1 deletes them)
	@$(CTL) remove-client

restart: $(DEPS) ## recreate a client's container so config changes apply: PORT=
	@$(CTL) restart

logs: $(DEPS) ## show a client's last log lines: PORT= [LINES=20]
	@$(CTL) logs

status: $(DEPS) ## one row per client: port, name, state, health, config, V8 user (masked), uptime
	@$(CTL) status

sandbox: check-sandbox $(DEPS) ## run sandbox clients 4000 and 5000 wired to fake V8 and fake Kentro (no credentials)
	@$(CTL) sandbox

set-admin-password: $(DEPS) ## set a client's /config-v8 password: PORT= [PASSWORD=] (random if omitted)
	@$(CTL) set-admin-password

config: $(DEPS) ## a client's effective configuration, masked, with each value's source: PORT= [JSON=1]
	@$(CTL) config

migrate: $(DEPS) ## clients from the old PM2 service: FROM=/opt/clt-v8-service [DRY_RUN=1] [START=1] [PORT=] [LEGACY_PORT=4000]
	@$(CTL) migrate

backup: $(DEPS) ## one tar.gz per client (config, logs, data; the client keeps running): [PORT=] [OUT=backups/]
	@$(CTL) backup

restore: $(DEPS) ## bring a client back from a backup and wait until healthy: FILE= [FORCE=1 replaces a stopped one]
	@$(CTL) restore

upgrade: $(DEPS) ## rebuild (or IMAGE=), recreate clients one at a time; a failing one is rolled back and it stops
	@$(CTL) upgrade

watchdog: $(DEPS) ## start/update the watchdog restarting clients unhealthy for WATCHDOG_UNHEALTHY_S [STOP=1]
	@$(CTL) watchdog

verify-evidence: $(DEPS) ## check a client's consent evidence chain; names the first edited/deleted entry: PORT=
	@$(CTL) verify-evidence

tls-up: $(DEPS) ## start (or restart) the TLS front: one Caddy terminating TLS for every client (production)
	@$(CTL) tls-up

tls-add-client: $(DEPS) ## serve a client over https: PORT= [HOST=localhost] [TLS_PORT=PORT+10000]
	@$(CTL) tls-add-client

tls-ca: $(DEPS) ## print the TLS front's internal CA root certificate (PEM) for callers to trust
	@$(CTL) tls-ca

tls-down: $(DEPS) ## stop the TLS front (its CA and certificates are kept)
	@$(CTL) tls-down

# Before anything else: one line per missing prerequisite, with the command that installs it.
check-sandbox check-test:
	@bash scripts/check-prereqs.sh $(patsubst check-%,%,$@)

setup: ## prepare a registry-less Debian machine (Docker engine, Compose v2, Node 24, base image)
	@bash scripts/ci/setup-host.sh

test: check-test $(DEPS) ## run the whole test suite (builds the image once)
	@npm test

lint: $(DEPS) ## Biome lint + format check
	@npm run lint

typecheck: $(DEPS) ## TypeScript strict type check
	@npm run typecheck

$(DEPS): package.json package-lock.json
	@node -e 'const [M,m]=process.versions.node.split(".").map(Number); if (M < 22 || (M === 22 && m < 18)) { console.error("Node " + process.versions.node + " is too old: Node 24 is needed (make setup installs one into .tools/)"); process.exit(1) }'
	@npm ci --ignore-scripts --no-audit --no-fund
