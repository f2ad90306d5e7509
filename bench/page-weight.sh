#!/usr/bin/env bash
# Page weight: the hydration bundle and the stylesheet as built for release, raw and compressed
# (gzip -9 and brotli at the levels a server would use), as one JSON object and a short table.
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
printf '%-26s %10s %10s %10s\n' file raw gzip brotli
for f in myna-portal_bg.wasm myna-portal.js myna-portal.css; do
  p="$pkg/$f"
  r=$(size "$p"); g=$(gz "$p"); b=$(br "$p")
  printf '%-26s %10s %10s %10s\n' "$f" "$r" "$g" "$b"
  json+="\"$f\":{\"raw\":$r,\"gzip\":$g,\"brotli\":$b},"
done
echo "${json%,}}"
