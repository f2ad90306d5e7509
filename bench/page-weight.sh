#!/usr/bin/env bash
# Page weight: the hydration bundle and the stylesheet as built for release, raw and compressed
# (gzip -9 and brotli at the levels a server would use), as one JSON object and a short table.
# The files carry a content hash in their names (scripts/build.sh); the JSON keys drop it.
# Usage: bench/page-weight.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--no-build" ] || scripts/build.sh release >/dev/null
pkg=target/site/pkg
size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
br() {
  if command -v brotli >/dev/null; then brotli -q 11 -c "$1" | wc -c | tr -d ' '; else echo null; fi
}
json="{"
printf '%-38s %10s %10s %10s\n' file raw gzip brotli
for kind in wasm js css; do
  p=$(ls "$pkg"/myna-portal.*."$kind" 2>/dev/null | head -1)
  [ -n "$p" ] || { echo "no $pkg/myna-portal.<hash>.$kind: run scripts/build.sh release" >&2; exit 1; }
  f=$(basename "$p")
  r=$(size "$p"); g=$(gz "$p"); b=$(br "$p")
  printf '%-38s %10s %10s %10s\n' "$f" "$r" "$g" "$b"
  json+="\"myna-portal.$kind\":{\"file\":\"$f\",\"raw\":$r,\"gzip\":$g,\"brotli\":$b},"
done
echo "${json%,}}"
