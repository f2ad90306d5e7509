#!/usr/bin/env bash
# Benchmark: generates N residents (default 1,000,000) with their linked items into a fresh SQLite
# file with the release build, and prints wall time, peak memory and rows.
# Usage: bench/generate.sh [RESIDENTS] [DATABASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
url=${2:-sqlite://target/bench/portal.db}
cargo build --release --features ssr --bin myna-portal
rm -rf target/bench
mkdir -p target/bench
if [[ "$url" == postgres* ]]; then
  echo "(PostgreSQL: the database in the URL must exist and be empty)"
fi
export PORTAL_KEY_FILE=target/bench/number.key
/usr/bin/time -v -o target/bench/time.txt \
  target/release/myna-portal --database-url "$url" seed --residents "$n" --truth target/bench/ground-truth.csv \
  | tee target/bench/seed.txt
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' target/bench/time.txt)
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' target/bench/time.txt)
cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' target/bench/time.txt)
size=$( [[ "$url" == sqlite* ]] && du -sh target/bench/portal.db* | awk '{print $1}' | paste -sd+ || echo "-")
echo
echo "residents: $n"
echo "database: ${url%%:*}"
echo "wall time: $wall"
echo "peak memory (RSS): ${rss} MiB"
echo "CPU: $cpu"
echo "database files: $size"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
