#!/usr/bin/env bash
# One command: installs what is missing, builds the release, loads a fresh demo population into
# SQLite (var/demo/portal.db) and serves it at http://127.0.0.1:3000.
# Options via environment: DEMO_RESIDENTS (default 2000), DEMO_PASSWORD (default demo-pass-2026).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release

dir=var/demo
rm -rf "$dir"
mkdir -p "$dir"
export DATABASE_URL="sqlite://$dir/portal.db"
export PORTAL_KEY_FILE="$dir/number.key"
bin=target/release/myna-portal
"$bin" seed --residents "${DEMO_RESIDENTS:-2000}" --demo-password "${DEMO_PASSWORD:-demo-pass-2026}" --truth "$dir/ground-truth.csv" --demo-out "$dir/demo.json"
echo
echo "Demo credentials are also in $dir/demo.json. Serving http://127.0.0.1:3000 (Ctrl-C to stop)"
exec "$bin" serve
