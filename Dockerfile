# syntax=docker/dockerfile:1
# ferry's image: `ferry controller` and `ferry speaker` (and the offline commands) on Node 24 LTS,
# with the FRR tools the speaker drives its FRR sidecar with (vtysh, frr-reload.py).
#
# Versions (bump together):
#   - Node 24 LTS on Debian 12 "bookworm" (slim).
#   - FRR 8.4 from Debian bookworm's own `frr` packages (8.4.4), the same 8.4 series as the
#     speaker pod's frr container (quay.io/frrouting/frr:8.4.2, deploy/speaker.yaml). vtysh and the
#     daemons must share a major/minor: the CLI and the JSON of `show ... json` change between them.
#
# Users: the speaker's container runs as uid 100 / gid 101 with supplementary gid 102, which are
# the frr user, frr group and frrvty group of the FRR image; the vty sockets are frr:frrvty 0770.
# vtysh refuses to run under a uid without a passwd entry, so the same ids are created here (as
# `frr`, `frr`, `frrvty`) before the Debian package, whose postinst then reuses them. The controller
# runs as 65532 (`ferry`). The image's default USER is `ferry`.
#
# Build: docker build -t ferry:0.1.0 .       Check the runtime layout without Docker:
#        scripts/check-image-layout.sh        (the same steps into a temporary directory)

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---- build: compile TypeScript and the packet-socket addon (L2 mode) ------------------------------
FROM ${NODE_IMAGE} AS build
# node-gyp (inside npm) builds native/ against the image's own Node headers: no download.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends 'python3=3.11.*' 'make=4.3-*' 'g++=4:12.*' \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY e2e ./e2e
COPY bench ./bench
COPY scripts ./scripts
COPY test ./test
COPY templates ./templates
COPY native ./native
COPY deploy/crds ./deploy/crds
RUN npm run build \
    && find dist/src -name '*.test.js' -delete \
    && find dist/src -name '*.test.js.map' -delete

# ---- deps: production dependencies only -----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

# ---- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# frr: vtysh (and the daemons, unused here); frr-pythontools: /usr/lib/frr/frr-reload.py (+ python3).
RUN groupadd --system --gid 101 frr \
    && groupadd --system --gid 102 frrvty \
    && useradd --system --uid 100 --gid frr --groups frrvty --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin frr \
    && groupadd --system --gid 65532 ferry \
    && useradd --system --uid 65532 --gid ferry --groups frrvty --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin ferry \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       'frr=8.4.*' 'frr-pythontools=8.4.*' \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && dpkg-query --show --showformat='${Version}' frr | grep -q '^8\.4\.' \
    && test -x /usr/lib/frr/frr-reload.py

WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules /app/node_modules
COPY --from=build /src/dist/src /app/dist/src
COPY --from=build /src/native/build/Release/ferry_packet.node /app/native/build/Release/ferry_packet.node
COPY --from=build /src/templates /app/templates
COPY --from=build /src/deploy/crds /app/deploy/crds
COPY --from=build /src/package.json /app/package.json

USER ferry
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
