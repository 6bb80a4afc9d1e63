# One image for every client: the client is chosen at run time by PORT and the mounted config file.
# On machines without a registry, build with --build-arg BASE_IMAGE=<local stand-in> (see docs/OPERATIONS.md).
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
COPY sandbox ./sandbox
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.cache

FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY app/web ./dist/app/web
COPY docker/healthcheck.sh /usr/local/bin/clt-v8-healthcheck
# The watchdog and its Docker socket proxy run from this root-owned copy, never from the checkout.
COPY watchdog/watchdog.ts watchdog/socket-proxy.ts /app/watchdog/
# A dedicated uid/gid that no login on the host uses (the host's first user is usually 1000): the
# client's config.env is root:10001 0640 on the host, readable by the service and by nobody else.
# Mount points: config (read-only bind), logs (bind), data (named volume, created owned by 10001).
RUN groupadd --system --gid 10001 clt-v8 \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin clt-v8 \
 && mkdir -p /app/config /app/logs /app/data /run/clt-v8-docker \
 && chown 10001:10001 /app/logs /app/data /run/clt-v8-docker \
 && chmod 0700 /run/clt-v8-docker \
 && chmod 0700 /app/data
USER 10001:10001
# bash's /dev/tcp: no curl, and far cheaper than starting a second node process on every check.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 CMD ["/usr/local/bin/clt-v8-healthcheck"]
CMD ["node", "dist/app/main.js"]
