#!/usr/bin/env bash
# Builds the server binary and the site (hydration bundle, CSS, public files) into target/site,
# the way cargo-leptos lays it out. Usage: scripts/build.sh [dev|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dev}
name=myna-portal
site=target/site
pkg=$site/pkg

if [ "$profile" = release ]; then
  cargo build --release --features ssr --bin "$name"
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
  wasm=target/wasm32-unknown-unknown/wasm-release/myna_portal.wasm
else
  cargo build --features ssr --bin "$name"
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate
  wasm=target/wasm32-unknown-unknown/debug/myna_portal.wasm
fi

rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen "$wasm" --out-dir "$pkg" --out-name "$name" --target web --no-typescript
if [ "$profile" = release ]; then
  wasm_opt=$(command -v wasm-opt || true)
  [ -z "$wasm_opt" ] && [ -x end2end/node_modules/.bin/wasm-opt ] && wasm_opt=end2end/node_modules/.bin/wasm-opt
  if [ -n "$wasm_opt" ]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$pkg/${name}_bg.wasm" -o "$pkg/${name}_bg.wasm"
  fi
fi
cat style/main.css style/workflow.css > "$pkg/$name.css"
cp -r public/. "$site/"
echo "built $profile: target/$( [ "$profile" = release ] && echo release || echo debug )/$name and $site"
