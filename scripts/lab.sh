#!/usr/bin/env bash
# The README's main-job command. Installs what it needs (FRR, npm packages), builds, then runs the
# local lab. Until the lab lands it renders the example manifests for the three lab nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh
for node in node-21 node-22 node-23; do
  echo "=== ferry render --manifests deploy/examples --node $node"
  node dist/src/cli/main.js render --manifests deploy/examples --node "$node"
done
