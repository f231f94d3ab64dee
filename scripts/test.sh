#!/usr/bin/env bash
# The README's test command: installs what it needs, then runs lint, build and every jest project
# (unit, FRR integration in network namespaces, e2e). FRR tests fail (never skip) when FRR cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh
npm run --silent lint
NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
