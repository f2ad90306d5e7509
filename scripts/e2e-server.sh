#!/usr/bin/env bash
# Seeds a small deterministic population into a fresh SQLite file and serves it for Playwright.
# Expects scripts/build.sh to have run. Usage: scripts/e2e-server.sh PORT
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-3100}
dir=target/e2e
rm -rf "$dir"
mkdir -p "$dir"
export DATABASE_URL="sqlite://$dir/portal.db"
export PORTAL_KEY_FILE="$dir/number.key"
bin=${CARGO_TARGET_DIR:-target}/debug/myna-portal
"$bin" seed --residents 3000 --seed 2023 --wrong-rate 0.02 --demo-password "e2e-demo-pass" --demo-out "$dir/demo.json" --truth "$dir/ground-truth.csv"
# The stranger of the passkey journey comes "from elsewhere" through a proxy's header, so its
# throttled attempts do not use up the sign-in limit of the other journeys' address (requests
# without the header are counted by their socket address, as without a proxy).
export PORTAL_CLIENT_IP_HEADER=X-Forwarded-For
LEPTOS_SITE_ADDR="127.0.0.1:$port" exec "$bin" serve
