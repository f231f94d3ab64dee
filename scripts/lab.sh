#!/usr/bin/env bash
# The README's main-job command: installs what it needs (FRR, npm packages), builds, then runs the
# local lab (`ferry lab`): a BGP fabric in network namespaces with real FRR, speakers and controller,
# an operator's checks and the failover drill (docs/design.md §9). Pass `up` to keep it running, `down` to remove it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh
exec node dist/src/cli/main.js lab "$@"
