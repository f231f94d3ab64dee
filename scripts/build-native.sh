#!/usr/bin/env bash
# Builds native/ferry_packet.node (the AF_PACKET socket L2 mode uses) with the node-gyp that ships
# inside npm, against the Node headers installed beside this node (no download: works offline).
# Needs a C compiler, make and python3. Idempotent: rebuilds only when the C source is newer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=native/build/Release/ferry_packet.node
if [ -f "$out" ] && [ "$out" -nt native/packet_socket.c ] && [ "$out" -nt native/binding.gyp ]; then
  exit 0
fi
prefix="$(dirname "$(dirname "$(command -v node)")")"
nodedir_flag=()
if [ -f "$prefix/include/node/node_api.h" ]; then
  nodedir_flag=(--nodedir="$prefix")
fi
# npm's own node-gyp (a JS file run with this node); under `npm run`, `node-gyp` on PATH is npm's
# shell shim for it, which must be executed, not given to node.
gyp_js="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
if [ -f "$gyp_js" ]; then
  gyp=(node "$gyp_js")
else
  gyp=(node-gyp)
fi
"${gyp[@]}" rebuild --directory native "${nodedir_flag[@]}" --loglevel=warn >/dev/null
test -f "$out"
