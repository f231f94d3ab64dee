#!/usr/bin/env bash
# The Dockerfile's runtime layout without Docker: performs its final stage's `COPY --from=...` lines
# into a temporary root (the `deps` stage = `npm ci --omit=dev` of the same lockfile, the `build`
# stage = this checkout's dist/ with the test files removed, as the build stage does), then runs the
# result from outside the checkout: `ferry --version` and `ferry render --manifests deploy/examples
# --node node-21`, which must print exactly what the checkout's own build prints. It also checks
# that no devDependency got in. Node is this machine's (the image has Node 24). The apt part
# (vtysh, frr-reload.py) is not emulated. Needs `npm run build` first.
# Usage: scripts/check-image-layout.sh [--keep]   (--keep leaves the temporary root and prints it)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
keep=false
[ "${1:-}" = --keep ] && keep=true
[ -f "$repo/dist/src/cli/main.js" ] || { echo "check-image-layout: run npm run build first" >&2; exit 1; }

root="$(mktemp -d "${TMPDIR:-/tmp}/ferry-image.XXXXXX")"
cleanup() { if $keep; then echo "check-image-layout: left $root" >&2; else rm -rf "$root"; fi; }
trap cleanup EXIT

# The deps stage.
mkdir -p "$root/stage-deps/app"
cp "$repo/package.json" "$repo/package-lock.json" "$root/stage-deps/app/"
# `npm ci` as the Dockerfile does. npm 11 refuses a lockfile that lacks the other platforms'
# optional packages (`npm ci` only; `npm install` accepts it): then warn, and install from the same
# lockfile with `npm install --omit=dev`, which leaves it unchanged, so the rest can still be checked.
npm_flags=(--omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
if ! (cd "$root/stage-deps/app" && npm ci "${npm_flags[@]}" >/dev/null 2>"$root/npm-ci.log"); then
  grep -q 'in sync' "$root/npm-ci.log" || { cat "$root/npm-ci.log" >&2; exit 1; }
  echo "check-image-layout: WARNING: npm ci refuses package-lock.json (not in sync:" \
    "$(grep -c 'Missing:' "$root/npm-ci.log") optional packages missing); the Dockerfile's npm ci will" \
    "fail the same way until the lockfile is regenerated. Continuing with npm install --omit=dev." >&2
  (cd "$root/stage-deps/app" && npm install "${npm_flags[@]}" >/dev/null)
  cmp -s "$repo/package-lock.json" "$root/stage-deps/app/package-lock.json" ||
    { echo "check-image-layout: npm install changed the lockfile" >&2; exit 1; }
fi

# The final stage: every line after the last FROM of the form `COPY --from=STAGE SRC DST`.
final_copies="$(awk '/^FROM /{n=NR} {line[NR]=$0} END{for(i=n+1;i<=NR;i++) print line[i]}' "$repo/Dockerfile" |
  sed -n 's/^COPY --from=\([a-z]*\) \([^ ]*\) \([^ ]*\)$/\1 \2 \3/p')"
[ -n "$final_copies" ] || { echo "check-image-layout: no COPY --from lines in the final stage" >&2; exit 1; }
while read -r stage source destination; do
  case "$stage" in
    deps) from="$root/stage-deps$source" ;;
    build) from="$repo/${source#/src/}" ;;
    *) echo "check-image-layout: unknown stage $stage" >&2; exit 1 ;;
  esac
  [ -e "$from" ] || { echo "check-image-layout: $stage:$source does not exist ($from)" >&2; exit 1; }
  mkdir -p "$root/image$(dirname "$destination")"
  cp -R "$from" "$root/image$destination"
done <<<"$final_copies"
# As the build stage: compiled tests stay out of the image.
find "$root/image/app/dist" \( -name '*.test.js' -o -name '*.test.js.map' \) -delete

app="$root/image/app"
fail() { echo "check-image-layout: $*" >&2; exit 1; }
# Packages the lockfile marks dev-only ("dev": true: typescript, jest, eslint, ...) must be absent.
dev_in_image="$(node -e '
  const [lockPath, app] = process.argv.slice(1);
  const { existsSync } = require("node:fs");
  const lock = require(lockPath);
  const found = Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev === true)
    .map(([path]) => path)
    .filter((path) => existsSync(`${app}/${path}`));
  console.log(found.slice(0, 5).join(" "));
' "$repo/package-lock.json" "$app")"
[ -z "$dev_in_image" ] || fail "dev-only packages are in the image: $dev_in_image"
[ ! -e "$app/node_modules/typescript" ] || fail "typescript is in the image"
[ ! -e "$app/dist/e2e" ] || fail "dist/e2e is in the image"

cd /
expected_version="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
version="$(node "$app/dist/src/cli/main.js" --version)"
[ "$version" = "$expected_version" ] || fail "ferry --version printed '$version', want '$expected_version'"

image_render="$(node "$app/dist/src/cli/main.js" render --manifests "$repo/deploy/examples" --node node-21)"
repo_render="$(node "$repo/dist/src/cli/main.js" render --manifests "$repo/deploy/examples" --node node-21)"
[ -n "$image_render" ] || fail "ferry render printed nothing"
[ "$image_render" = "$repo_render" ] || fail "ferry render from the image layout differs from the checkout's"

echo "image layout ok: ferry $version, render node-21 $(printf '%s\n' "$image_render" | wc -l) lines," \
  "node_modules $(du -sm "$app/node_modules" | cut -f1) MB, $(find "$app/node_modules" -maxdepth 2 -name package.json | wc -l) packages"
