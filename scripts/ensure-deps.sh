#!/usr/bin/env bash
# Installs what ferry's tests and lab need on a fresh Debian 12 machine, as root:
# FRR 8.4 (+ frr-pythontools for frr-reload.py), BIRD 2 and GoBGP as independent peers, iproute2,
# curl, a C toolchain for the packet-socket addon, then the npm packages (npm ci) and the build
# (TypeScript and native/ via scripts/build-native.sh). Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v vtysh >/dev/null 2>&1 || need_apt+=(frr)
[ -x /usr/lib/frr/frr-reload.py ] || need_apt+=(frr-pythontools)
command -v bird >/dev/null 2>&1 || need_apt+=(bird2)
command -v gobgpd >/dev/null 2>&1 || need_apt+=(gobgpd)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# the packet-socket addon (L2 mode) is compiled by node-gyp: a C compiler, make, python3
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v kubectl >/dev/null 2>&1 || need_apt+=(kubectl)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ferry: need root to install ${need_apt[*]} from Debian's packages" >&2
    exit 1
  fi
  echo "ferry: installing ${need_apt[*]} from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || {
    # kubectl is not in every Debian mirror; everything else is required.
    missing_required=0
    for p in "${need_apt[@]}"; do
      [ "$p" = kubectl ] && continue
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null || missing_required=1
    done
    [ "$missing_required" = 0 ] || exit 1
  }
fi
# The packaged FRR service would compete with our per-namespace instances; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet frr 2>/dev/null; then
  systemctl stop frr || true
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
