#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, the integration suite through the real
# router on SQLite and on PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres),
# and the Playwright journeys in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser

echo "== fmt and clippy"
cargo fmt --check
cargo clippy --features ssr --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

echo "== build (server, hydration bundle, site)"
scripts/build.sh dev

echo "== unit and integration tests (SQLite and PostgreSQL)"
cargo test --features ssr

echo "== end-to-end journeys (Playwright, Chromium)"
cd end2end
npx playwright test
