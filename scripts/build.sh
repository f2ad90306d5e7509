#!/usr/bin/env bash
# Builds the server binary and the site (hydration bundle, CSS, public files) into target/site,
# the way cargo-leptos lays it out with `hash-files`: the bundle files are named after a hash of
# their content (myna-portal.<hash>.js|wasm|css) and the hashes go to hash.txt beside the binary,
# where the server reads them (Leptos.toml: hash-files = true). Honours CARGO_TARGET_DIR.
# Usage: scripts/build.sh [dev|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dev}
name=myna-portal
site=target/site
pkg=$site/pkg
out=${CARGO_TARGET_DIR:-target}

if [ "$profile" = release ]; then
  cargo build --release --features ssr --bin "$name"
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
  wasm=$out/wasm32-unknown-unknown/wasm-release/myna_portal.wasm
  bindir=$out/release
else
  cargo build --features ssr --bin "$name"
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate
  wasm=$out/wasm32-unknown-unknown/debug/myna_portal.wasm
  bindir=$out/debug
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
# Content-hashed names: the first 20 hex digits of each file's SHA-256.
: > "$bindir/hash.txt"
for kind in js wasm css; do
  src=$pkg/$name.$kind
  [ "$kind" = wasm ] && src=$pkg/${name}_bg.wasm
  hash=$(sha256sum "$src" | cut -c1-20)
  mv "$src" "$pkg/$name.$hash.$kind"
  echo "$kind: $hash" >> "$bindir/hash.txt"
  # Precompressed copies for release, served as they are (src/server/mod.rs); brotli only when
  # installed. A dev build's bundle is compressed per response instead (its wasm is large and changes often).
  if [ "$profile" = release ]; then
    gzip -9 -k -f "$pkg/$name.$hash.$kind"
    if command -v brotli >/dev/null; then brotli -q 11 -k -f "$pkg/$name.$hash.$kind"; fi
  fi
done
cp -r public/. "$site/"
echo "built $profile: $bindir/$name, $bindir/hash.txt and $site"
