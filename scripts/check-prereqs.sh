#!/usr/bin/env bash
# Checks what `make sandbox` / `make test` need before they start, and stops with one line per
# missing piece naming it and the one command that installs it. Nothing is installed here:
# `make setup` (scripts/ci/setup-host.sh) does that, idempotently, on a Debian machine.
#   scripts/check-prereqs.sh sandbox|test
set -u
target=${1:-test}
missing=()
need() { missing+=("make $target: $1"); }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 24 ] 2>/dev/null; then
  have=$(node --version 2>/dev/null || echo none)
  need "Node.js 24 is needed (found $have). Install it with: make setup (a project-local Node 24 in .tools/node), or from nodejs.org"
fi
if ! command -v docker >/dev/null 2>&1; then
  need "the Docker CLI and engine are missing. Install them with: make setup (Debian), or Docker Engine from docs.docker.com"
elif ! docker info >/dev/null 2>&1; then
  need "no Docker engine answers (docker info failed). Start it with: make setup (starts dockerd), or: sudo systemctl start docker"
elif ! docker compose version >/dev/null 2>&1; then
  need "Docker Compose v2 (docker compose) is missing. Install it with: make setup, or: apt-get install docker-compose-plugin"
fi
if [ "$target" = test ]; then
  chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    need "Chromium for the console's end-to-end test is missing ($chromium). Install it with: apt-get install -y chromium (make setup does it too)"
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf '%s\n' "${missing[@]}" >&2
  exit 1
fi
